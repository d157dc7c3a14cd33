// A downstream program that only knows the installed lagframe.
#include <lagframe/lagframe.hpp>

#include <cmath>
#include <cstdio>

int main() {
  const lagframe::box b{.side_mpc_h = 64.0, .particles_1d = 8};
  b.validate();
  lagframe::real_field<float> grid(8, b.side_mpc_h);
  lagframe::fft::r2c_plan<float> plan(8);
  grid(1, 2, 3) = 1.0f;
  plan.forward(grid);
  plan.backward(grid);
  std::printf("lagframe %s ok %.1f\n", lagframe::version_string, static_cast<double>(grid(1, 2, 3)));
  return std::abs(grid(1, 2, 3) - 512.0f) < 1e-3f ? 0 : 1;
}
