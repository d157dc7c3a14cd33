// SPDX-License-Identifier: BSD-3-Clause
// Reading and checking a lagframe-run configuration (config.hpp): the key table of schema.hpp
// gives every key's type, default, choices and range; the cross-key rules and the files the
// keys name are checked here, in that order, before anything is written.

#include "config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <pthread.h>
#include <unistd.h>

#include <csignal>

#include <lagframe/core/error.hpp>
#include <lagframe/force/detail/chaining_mesh.hpp>
#include <lagframe/force/short_range.hpp>
#include <lagframe/io/gadget2_binary.hpp>
#include <lagframe/io/npy.hpp>
#include <lagframe/scola/tiling.hpp>
#include <lagframe/stepper/force_schedule.hpp>
#include <lagframe/stepper/time_grid.hpp>
#if defined(LAGFRAME_RUN_HAS_HDF5)
#include <lagframe/io/gadget_hdf5.hpp>
#include <lagframe/io/gadget_ic.hpp>
#include <lagframe/io/lightcone_hdf5.hpp>
#include <lagframe/io/lightcone_stream.hpp>
#endif

#include "schema.hpp"

namespace lagframe_run {

namespace fs = std::filesystem;

std::string toml_number(double v) {
  if (!std::isfinite(v)) return v > 0 ? "inf" : (v < 0 ? "-inf" : "nan");
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

namespace {

[[noreturn]] void fail(const std::string& message) { throw lf::config_error("config: " + message); }

/// A library message without its "lagframe: " prefix (it is quoted inside ours).
std::string library_message(const std::exception& e) {
  std::string m = e.what();
  if (m.rfind("lagframe: ", 0) == 0) m.erase(0, 10);
  return m;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

/// A bound of a range: "2", "0.5", "1e+04".
std::string bound_text(double v) {
  if (v == std::floor(v) && std::abs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, r.ptr};
}

/// A derived number for messages, to 6 significant digits ("42.6667").
std::string rounded(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

/// A node as a TOML literal, as the user wrote it (numbers in shortest form).
std::string node_text(const toml::node& n) {
  if (const auto* s = n.as_string()) return quote(s->get());
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return toml_number(f->get());
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = n.as_array()) {
    std::string out = "[";
    for (std::size_t k = 0; k < a->size(); ++k) out += (k ? ", " : "") + node_text(*a->get(k));
    return out + "]";
  }
  if (n.is_table()) return "{...}";
  std::ostringstream os;
  if (const auto* d = n.as_date()) os << d->get();
  else if (const auto* t = n.as_time()) os << t->get();
  else if (const auto* dt = n.as_date_time()) os << dt->get();
  return os.str();
}

std::string type_text(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "floating-point number";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "date or time";
  }
}

std::string range_text(const range& r, bool integer) {
  const std::string what = integer ? "an integer" : "a number";
  if (std::isfinite(r.lo) && std::isfinite(r.hi))
    return what + " in " + (r.lo_open ? "(" : "[") + bound_text(r.lo) + ", " + bound_text(r.hi) + (r.hi_open ? ")" : "]");
  if (std::isfinite(r.lo)) return what + (r.lo_open ? " > " : " >= ") + bound_text(r.lo);
  if (std::isfinite(r.hi)) return what + (r.hi_open ? " < " : " <= ") + bound_text(r.hi);
  return what;
}

std::string choices_text(const key_spec& s) {
  std::string out = s.choices.size() == 1 ? "" : "one of ";
  for (std::size_t k = 0; k < s.choices.size(); ++k) out += (k ? ", " : "") + quote(s.choices[k]);
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// Reads the keys of one configuration against the key table.
class reader {
 public:
  reader(const toml::table& root, std::set<std::string> overridden, fs::path folder)
      : root_(root), overridden_(std::move(overridden)), folder_(std::move(folder)) {}

  // ---- presence and description -------------------------------------------------------
  [[nodiscard]] const toml::node* node(std::string_view id) const { return root_.at_path(id).node(); }
  [[nodiscard]] bool given(std::string_view id) const { return node(id) != nullptr; }

  /// " (line N)", " (--set)", or "" for a key that is not given.
  [[nodiscard]] std::string where(std::string_view id) const {
    if (overridden_.count(std::string(id)) != 0) return " (--set)";
    const toml::node* n = node(id);
    if (n == nullptr) return "";
    return where(*n, id);
  }
  [[nodiscard]] std::string where(const toml::node& n, std::string_view id) const {
    if (overridden_.count(std::string(id)) != 0) return " (--set)";
    const auto line = n.source().begin.line;
    return line > 0 ? " (line " + std::to_string(line) + ")" : std::string(" (--set)");
  }
  /// "section.key (line N) = value", or "section.key = value (default)".
  [[nodiscard]] std::string shown(std::string_view id) const {
    if (const toml::node* n = node(id)) return std::string(id) + where(id) + " = " + node_text(*n);
    const auto it = effective_.find(std::string(id));
    if (it != effective_.end()) return std::string(id) + " = " + it->second + " (default)";
    return std::string(id);
  }

  [[noreturn]] void invalid(std::string_view id, const std::string& expected) const {
    fail(shown(id) + " is invalid: expected " + expected);
  }
  /// "config: <shown> <rest>", rest starting with a verb ("is ...", "does ...").
  [[noreturn]] void refuse(std::string_view id, const std::string& rest) const { fail(shown(id) + " " + rest); }
  /// A key that another one needs: names the missing key and the one that needs it.
  [[noreturn]] void missing(std::string_view id, std::string_view because, const std::string& need) const {
    fail(std::string(id) + " is missing: " + shown(because) + " needs " + need);
  }
  /// A key given where nothing reads it.
  void unused(std::string_view id, const std::string& context, const std::string& fix) {
    spec(id);
    if (given(id)) fail(shown(id) + " is not used " + context + ": " + fix);
  }

  // ---- typed values -------------------------------------------------------------------
  bool boolean(std::string_view id, std::optional<bool> computed = {}) {
    const toml::node& n = value_node(id, computed ? std::optional<std::string>(*computed ? "true" : "false") : std::nullopt);
    return *n.value_exact<bool>();
  }
  std::uint64_t count(std::string_view id, std::optional<std::uint64_t> computed = {}) {
    const toml::node& n = value_node(id, computed ? std::optional<std::string>(std::to_string(*computed)) : std::nullopt);
    return static_cast<std::uint64_t>(*n.value_exact<std::int64_t>());
  }
  double number(std::string_view id, std::optional<double> computed = {}) {
    const toml::node& n = value_node(id, computed ? std::optional<std::string>(toml_number(*computed)) : std::nullopt);
    return *n.value<double>();
  }
  template <class E, std::size_t N>
  E choice(std::string_view id, const named<E> (&table)[N], std::type_identity_t<std::optional<E>> computed = {}) {
    const toml::node& n =
        value_node(id, computed ? std::optional<std::string>(quote(name_of(table, *computed))) : std::nullopt);
    const std::string v = *n.value_exact<std::string>();
    for (const auto& entry : table)
      if (entry.name == v) return entry.value;
    throw std::logic_error("lagframe-run: choice table and key table disagree for " + std::string(id));
  }
  /// A path: relative ones are taken from the configuration file's folder, or from the working
  /// directory for a value given with --set.
  fs::path path(std::string_view id, std::optional<fs::path> computed = {}) {
    const toml::node& n = value_node(id, computed ? std::optional<std::string>(quote(computed->string())) : std::nullopt);
    const fs::path p = *n.value_exact<std::string>();
    if (p.empty()) invalid(id, "a file or folder name");
    const bool from_file = node(id) != nullptr && overridden_.count(std::string(id)) == 0;
    const bool default_value = node(id) == nullptr && !computed;  // a fixed default such as "out/run"
    const fs::path resolved =
        fs::absolute(!p.is_absolute() && (from_file || default_value) ? folder_ / p : p).lexically_normal();
    effective_[std::string(id)] = quote(resolved.string());
    return resolved;
  }
  std::vector<double> numbers(std::string_view id) {
    const toml::node& n = value_node(id, std::nullopt);
    std::vector<double> out;
    for (const auto& e : *n.as_array()) out.push_back(*e.value<double>());
    return out;
  }
  std::vector<std::uint64_t> counts(std::string_view id) {
    const toml::node& n = value_node(id, std::nullopt);
    std::vector<std::uint64_t> out;
    for (const auto& e : *n.as_array()) out.push_back(static_cast<std::uint64_t>(*e.value_exact<std::int64_t>()));
    return out;
  }
  /// Line of an array element, for messages about one element.
  [[nodiscard]] std::string element_where(std::string_view id, std::size_t k) const {
    const toml::node* n = node(id);
    if (n == nullptr || !n->is_array() || k >= n->as_array()->size()) return where(id);
    return where(*n->as_array()->get(k), id);
  }

  /// Record a value computed from the others (effective configuration).
  void record(std::string_view id, const std::string& literal) { effective_[std::string(id)] = literal; }

  // ---- the whole table ----------------------------------------------------------------
  /// Unknown sections and keys, and keys outside any section.
  void reject_unknown() const {
    for (const auto& [name, n] : root_) {
      const std::string section(name.str());
      const auto* table = n.as_table();
      if (table == nullptr) {
        std::string hint = "every key belongs to a section such as [box]";
        for (const auto& k : schema())
          if (k.key == section) {
            hint = "put it under [" + std::string(k.section) + "]";
            break;
          }
        fail("key '" + section + "'" + where(n, section) + " is outside any section: " + hint);
      }
      if (find_section(section) == nullptr) {
        std::string best;
        std::size_t best_d = 3;
        for (const auto& s : sections())
          if (const auto d = edit_distance(section, s.name); d < best_d) best_d = d, best = std::string(s.name);
        fail("unknown section [" + section + "]" + where(n, section) + ": " +
             (best.empty() ? std::string("see lagframe-run --print-config") : "did you mean [" + best + "]?"));
      }
      for (const auto& [key_name, value] : *table) {
        const std::string key(key_name.str());
        const std::string id = section + "." + key;
        if (find_key(section, key) != nullptr) continue;
        std::string best;
        std::size_t best_d = 4;
        for (const auto& k : schema()) {
          if (k.key == key) {
            best = k.id();
            best_d = 0;
            break;
          }
          if (k.section == section)
            if (const auto d = edit_distance(key, k.key); d < best_d) best_d = d, best = k.id();
        }
        fail("unknown key '" + id + "'" + where(value, id) + ": " +
             (best.empty() ? std::string("check its spelling against lagframe-run --print-config")
                           : "did you mean " + best + "? (lagframe-run --print-config lists every key)"));
      }
    }
  }

  /// The effective configuration as TOML text, section by section in table order.
  [[nodiscard]] std::string effective_toml() const {
    std::ostringstream out;
    for (const auto& s : sections()) {
      bool header = false;
      for (const auto& k : schema()) {
        if (k.section != s.name) continue;
        const auto it = effective_.find(k.id());
        if (it == effective_.end()) continue;
        if (!header) out << "\n[" << s.name << "]\n";
        header = true;
        out << k.key << " = " << it->second << "\n";
      }
    }
    return out.str();
  }

  /// Every key of the table must have been read (or declared unused) by read_config: a check
  /// that the table and the code agree.
  void check_all_consulted() const {
    for (const auto& k : schema())
      if (consulted_.count(k.id()) == 0) throw std::logic_error("lagframe-run: key " + k.id() + " is never read");
  }

  const key_spec& spec(std::string_view id) {
    const auto dot = id.find('.');
    const key_spec* s = find_key(id.substr(0, dot), id.substr(dot + 1));
    if (s == nullptr) throw std::logic_error("lagframe-run: key " + std::string(id) + " is not in the key table");
    consulted_.insert(std::string(id));
    return *s;
  }

 private:
  /// The user's node for `id` (checked against the table) or the default's; records the
  /// effective value.
  const toml::node& value_node(std::string_view id, const std::optional<std::string>& computed) {
    const key_spec& s = spec(id);
    const toml::node* n = node(id);
    if (n != nullptr) {
      check(s, *n);
      effective_[std::string(id)] = node_text(*n);
      return *n;
    }
    if (s.when == presence::required) {
      fail(std::string(id) + " is missing: [" + std::string(s.section) + "] must give " + std::string(s.key) + " (" +
           std::string(s.doc) + "), e.g. " + std::string(s.key) + " = " + std::string(s.value));
    }
    std::string literal;
    if (computed) {
      literal = *computed;
    } else if (s.when == presence::fixed) {
      literal = std::string(s.value);
    } else {
      throw std::logic_error("lagframe-run: no default for " + std::string(id));
    }
    auto [it, inserted] = defaults_.try_emplace(std::string(id));
    it->second = toml::parse("v = " + literal);
    effective_[std::string(id)] = literal;
    return *it->second["v"].node();
  }

  [[noreturn]] void wrong_type(std::string_view id, const toml::node& n, const std::string& expected) const {
    fail(std::string(id) + where(n, id) + " = " + node_text(n) + " has the wrong type (" + type_text(n) +
         "): expected " + expected);
  }
  [[noreturn]] void out_of_range(std::string_view id, const toml::node& n, const std::string& expected) const {
    fail(std::string(id) + where(n, id) + " = " + node_text(n) + " is invalid: expected " + expected);
  }

  void check_count(const key_spec& s, const toml::node& n, const std::string& id) const {
    const auto v = n.value_exact<std::int64_t>();
    if (!v) wrong_type(id, n, range_text(s.bounds, true));
    if (*v < 0) out_of_range(id, n, "a non-negative integer");
    if (!s.bounds.contains(static_cast<double>(*v))) out_of_range(id, n, range_text(s.bounds, true));
  }
  void check_number(const key_spec& s, const toml::node& n, const std::string& id) const {
    if (!(n.is_integer() || n.is_floating_point())) wrong_type(id, n, range_text(s.bounds, false));
    if (!s.bounds.contains(*n.value<double>())) out_of_range(id, n, range_text(s.bounds, false));
  }

  void check(const key_spec& s, const toml::node& n) const {
    const std::string id = s.id();
    switch (s.type) {
      case value_type::boolean:
        if (!n.is_boolean()) wrong_type(id, n, "true or false");
        break;
      case value_type::count: check_count(s, n, id); break;
      case value_type::number: check_number(s, n, id); break;
      case value_type::text:
      case value_type::path:
        if (!n.is_string()) wrong_type(id, n, s.type == value_type::path ? "a file or folder name in quotes" : "a string");
        break;
      case value_type::choice: {
        if (!n.is_string()) wrong_type(id, n, choices_text(s));
        const std::string v = *n.value_exact<std::string>();
        if (std::find(s.choices.begin(), s.choices.end(), v) == s.choices.end()) out_of_range(id, n, choices_text(s));
        break;
      }
      case value_type::numbers:
      case value_type::counts: {
        const auto* a = n.as_array();
        const bool integers = s.type == value_type::counts;
        if (a == nullptr)
          wrong_type(id, n, std::string("an array of ") + (integers ? "non-negative integers" : "numbers") + ", e.g. [1.0, 0.0]");
        for (const auto& e : *a) {
          if (integers) {
            const auto v = e.value_exact<std::int64_t>();
            if (!v) fail(id + where(e, id) + " = " + node_text(n) + " has an element of the wrong type (" + type_text(e) +
                         ", " + node_text(e) + "): expected non-negative integers");
            if (*v < 0)
              fail(id + where(e, id) + " = " + node_text(n) + " is invalid: " + node_text(e) +
                   " is negative (expected non-negative integers)");
          } else {
            if (!(e.is_integer() || e.is_floating_point()))
              fail(id + where(e, id) + " = " + node_text(n) + " has an element of the wrong type (" + type_text(e) +
                   ", " + node_text(e) + "): expected numbers");
            if (!s.bounds.contains(*e.value<double>()))
              fail(id + where(e, id) + " = " + node_text(n) + " is invalid: " + node_text(e) + " is not " +
                   range_text(s.bounds, false));
          }
        }
        break;
      }
    }
  }

  const toml::table& root_;
  std::set<std::string> overridden_;
  fs::path folder_;
  std::map<std::string, toml::table> defaults_;
  std::map<std::string, std::string> effective_;
  std::set<std::string> consulted_;
};

/// Apply one "--set section.key=value" (the value is TOML; a bare word is taken as a string).
void apply_override(toml::table& root, const std::string& assignment, std::set<std::string>& overridden) {
  const auto eq = assignment.find('=');
  const auto dot = assignment.find('.');
  if (eq == std::string::npos || dot == std::string::npos || dot > eq || dot == 0 || dot + 1 == eq)
    fail("--set '" + assignment + "' is invalid: expected section.key=value, e.g. --set box.particles_1d=128");
  const std::string section = assignment.substr(0, dot);
  const std::string key = assignment.substr(dot + 1, eq - dot - 1);
  const std::string value = assignment.substr(eq + 1);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value);
  } catch (const toml::parse_error&) {
    parsed = toml::table{{"v", value}};
  }
  if (!root.contains(section)) root.insert(section, toml::table{});
  toml::table* sec = root[section].as_table();
  if (sec == nullptr) fail("--set '" + assignment + "': '" + section + "' is not a section");
  sec->insert_or_assign(key, *parsed["v"].node());
  overridden.insert(section + "." + key);
}

toml::table parse_file(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) fail("file '" + file.string() + "' does not exist");
  if (fs::is_directory(file, ec))
    fail("'" + file.string() + "' is a directory, not a configuration file (lagframe-run --print-config prints one)");
  if (!fs::is_regular_file(file, ec)) fail("'" + file.string() + "' is not a regular file");
  std::ifstream in(file);
  if (!in) fail("cannot read '" + file.string() + "'");
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  if (content.find_first_not_of(" \t\r\n") == std::string::npos)
    fail("'" + file.string() + "' is empty: a configuration needs at least a [box] section (lagframe-run --print-config prints every key)");
  try {
    return toml::parse(content, file.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << file.string() << " line " << e.source().begin.line << ": " << e.description();
    fail(msg.str());
  }
}

/// Whether `a` matches `b` to rounding (node times, redshifts).
bool same(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)}); }

std::string redshift_list(const std::vector<double>& zs) {
  std::string out = "[";
  for (std::size_t k = 0; k < zs.size(); ++k) out += (k ? ", " : "") + toml_number(zs[k]);
  return out + "]";
}

std::string redshift_tag(double z) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "z%.3f", z);
  return buf;
}

// ---- the keys, section by section ----------------------------------------------------

void read_cosmology(reader& r, run_config& c) {
  auto& p = c.cosmology;
  p.omega_m = r.number("cosmology.omega_m");
  p.omega_b = r.number("cosmology.omega_b");
  p.omega_k = r.number("cosmology.omega_k");
  p.h = r.number("cosmology.h");
  p.n_s = r.number("cosmology.n_s");
  p.sigma_8 = r.number("cosmology.sigma_8");
  p.t_cmb = r.number("cosmology.t_cmb");
  if (p.omega_b > p.omega_m) r.invalid("cosmology.omega_b", "a baryon density <= cosmology.omega_m = " + toml_number(p.omega_m));
  try {
    p.validate();
  } catch (const lf::config_error&) {
    r.invalid("cosmology.omega_k", "a curvature for which E^2(a) = omega_m/a^3 + omega_k/a^2 + 1 - omega_m - omega_k "
                                   "stays positive up to a = 2 (omega_m = " + toml_number(p.omega_m) + ")");
  }
}

void read_initial_conditions(reader& r, run_config& c) {
  r.spec("initial_conditions.file");
  const bool from_file = r.given("initial_conditions.file");
  if (from_file) {
    const std::string context = "with initial_conditions.file" + r.where("initial_conditions.file");
    r.unused("initial_conditions.seed", context, "the particles come from the file; remove it");
    r.unused("initial_conditions.amplitude", context, "the particles come from the file; remove it");
    r.unused("initial_conditions.inverted", context, "the particles come from the file; remove it");
  } else {
    c.seed = r.count("initial_conditions.seed");
    c.amplitude = r.choice("initial_conditions.amplitude", amplitudes);
    c.inverted = r.boolean("initial_conditions.inverted");
  }
  c.power = r.choice("initial_conditions.power_spectrum", power_kinds);
  if (c.power == power_kind::file) {
    if (!r.given("initial_conditions.power_file"))
      r.missing("initial_conditions.power_file", "initial_conditions.power_spectrum", "a P(k) or T(k) table, e.g. power_file = \"pk.dat\"");
    c.power_file = r.path("initial_conditions.power_file");
    c.power_layout = r.choice("initial_conditions.power_layout", table_layouts);
    const bool transfer = c.power_layout == lf::cosmology::table_layout::class_tk ||
                          c.power_layout == lf::cosmology::table_layout::camb_tk;
    if (transfer) {
      r.spec("initial_conditions.normalise_to_sigma8");
      if (r.given("initial_conditions.normalise_to_sigma8") && !r.boolean("initial_conditions.normalise_to_sigma8"))
        r.refuse("initial_conditions.normalise_to_sigma8",
                 "is not possible with a T(k) table (power_layout = \"" + std::string(name_of(table_layouts, c.power_layout)) +
                     "\"): a transfer function has no amplitude, so it is always normalised to cosmology.sigma_8; remove the key");
      c.normalise_to_sigma8 = true;
      r.record("initial_conditions.normalise_to_sigma8", "true");
    } else {
      c.normalise_to_sigma8 = r.boolean("initial_conditions.normalise_to_sigma8");
    }
  } else {
    const std::string context = "with initial_conditions.power_spectrum = " +
                                quote(name_of(power_kinds, c.power));
    r.unused("initial_conditions.power_file", context, "set power_spectrum = \"file\" to use a table, or remove it");
    r.unused("initial_conditions.power_layout", context, "it describes a power_file; remove it");
    r.unused("initial_conditions.normalise_to_sigma8", context, "it applies to a power_file; remove it");
  }
  c.lpt_order = static_cast<int>(r.count("initial_conditions.lpt_order"));

  if (from_file) {
    c.ic_file = r.path("initial_conditions.file");
    c.ic_file_format = r.choice("initial_conditions.file_format", ic_formats);
    c.id_convention = r.choice("initial_conditions.id_convention", id_conventions);
    if (c.ic_file_format == ic_format::gadget2) {
      c.ic_length_unit_mpc_h = r.number("initial_conditions.length_unit_mpc_h");
    } else {
      r.unused("initial_conditions.length_unit_mpc_h", "with file_format = \"gadget_hdf5\"",
               "HDF5 files state their unit (/Parameters/UnitLength_in_cm); remove it");
    }
#if !defined(LAGFRAME_RUN_HAS_HDF5)
    if (c.ic_file_format == ic_format::gadget_hdf5)
      r.invalid("initial_conditions.file_format", "\"gadget2\": this lagframe-run was built without HDF5 (libhdf5-dev)");
#endif
    r.spec("initial_conditions.z_start");
    if (r.given("initial_conditions.z_start"))
      r.refuse("initial_conditions.z_start", "is not used with initial_conditions.file" +
                                                 r.where("initial_conditions.file") +
                                                 ": the file sets the start (its header's Time); remove z_start");
  } else {
    const std::string context = "without initial_conditions.file";
    r.unused("initial_conditions.file_format", context, "it describes an IC file; remove it");
    r.unused("initial_conditions.id_convention", context, "it describes an IC file; remove it");
    r.unused("initial_conditions.length_unit_mpc_h", context, "it describes an IC file; remove it");
    c.z_start = r.number("initial_conditions.z_start");
  }

  const bool dir = r.given("initial_conditions.restart_directory");
  const bool z = r.given("initial_conditions.restart_redshift");
  r.spec("initial_conditions.restart_directory");
  r.spec("initial_conditions.restart_redshift");
  if (dir && !z)
    r.missing("initial_conditions.restart_redshift", "initial_conditions.restart_directory",
              "the redshift of the snapshot to restart from, e.g. restart_redshift = 1.0");
  if (z && !dir)
    r.missing("initial_conditions.restart_directory", "initial_conditions.restart_redshift",
              "the output folder of the earlier run, e.g. restart_directory = \"../out/run_quickstart\"");
  if (dir) {
    c.restart_directory = r.path("initial_conditions.restart_directory");
    c.restart_redshift = r.number("initial_conditions.restart_redshift");
    c.restart_format = r.choice("initial_conditions.restart_format", restart_formats);
  } else {
    r.unused("initial_conditions.restart_format", "without initial_conditions.restart_directory",
             "it describes the snapshot to restart from; remove it");
  }
}

void read_frame(reader& r, run_config& c) {
  c.frame = r.choice("frame.type", frame_kinds);
  c.frame_fields = r.choice("frame.fields", frame_fields_kinds);
  if ((c.frame == frame_kind::lpt2 || c.frame == frame_kind::coca) && c.lpt_order != 2)
    r.invalid("initial_conditions.lpt_order",
              "2 with frame.type = " + quote(name_of(frame_kinds, c.frame)) + ": the second-order frame needs the second-order fields");
  if (c.frame == frame_kind::coca) {
    c.emulator = r.choice("frame.emulator", emulator_kinds);
    if (c.emulator == emulator_kind::torchscript && !have_torchscript())
      r.refuse("frame.emulator", "is not available: this lagframe-run was built without libtorch (apt-get install "
                                 "libtorch-dev, then rebuild), use emulator = \"fourier_linear\"");
    if (!r.given("frame.emulator_file"))
      r.missing("frame.emulator_file", "frame.type",
                c.emulator == emulator_kind::torchscript ? "the network, e.g. emulator_file = \"../models/coca_net_64_128.pt\""
                                                         : "the emulator's model, e.g. emulator_file = \"../models/fourier_linear_64_128.bin\"");
    c.emulator_file = r.path("frame.emulator_file");
    c.integration = r.choice("frame.integration", integrations);
  } else {
    const std::string context = "with frame.type = " + quote(name_of(frame_kinds, c.frame));
    r.unused("frame.emulator", context, "only type = \"coca\" has an emulator");
    r.unused("frame.emulator_file", context, "only type = \"coca\" has an emulator");
    r.unused("frame.integration", context, "only type = \"coca\" has an emulator");
  }
}

void read_force(reader& r, run_config& c) {
  c.force = r.choice("force.type", force_kinds);
  const bool p3m = c.force == force_kind::p3m;
  c.assignment = r.choice("force.assignment", assignment_kinds, p3m ? assignment_kind::tsc : assignment_kind::cic);
  c.pm.grid_1d = r.count("force.grid_1d", 2 * c.box.particles_1d);
  c.pm.greens = r.choice("force.greens", greens_kinds);
  if (c.pm.greens == lf::force::greens_function::optimal) {
    if (p3m)
      r.invalid("force.greens", "\"exact\" or \"finite_difference\" with force.type = \"p3m\" (the optimal influence "
                                "function is made for the unsplit force)");
    c.pm.optimal_diameter_cells = r.number("force.optimal_diameter_cells");
  } else {
    r.unused("force.optimal_diameter_cells", "with force.greens = " + quote(name_of(greens_kinds, c.pm.greens)),
             "set greens = \"optimal\" to use it, or remove it");
  }
  c.pm.grad = r.choice("force.gradient", gradients, p3m ? lf::force::gradient::spectral : lf::force::gradient::finite_difference_4);
  c.pm.deconvolve = r.boolean("force.deconvolve", p3m);
  c.pm.interlace = r.boolean("force.interlace");
  c.pm.planning = r.choice("force.planning", plannings);
  if (c.pm.planning == lf::fft::planning::measure) {
    // The measured plans are kept (and reused by the next run) beside the configuration by
    // default; a folder that cannot be written to only loses the wisdom (with a note).
    if (r.given("force.wisdom_file")) {
      c.wisdom_file = r.path("force.wisdom_file");
    } else if (::access(c.config_file.parent_path().c_str(), W_OK) == 0) {
      c.wisdom_file = r.path("force.wisdom_file", c.config_file.parent_path() / "fftw_wisdom");
    } else {
      r.spec("force.wisdom_file");
      std::printf("lagframe-run: note: %s is not writable: the FFTW wisdom of planning = \"measure\" is not kept "
                  "(force.wisdom_file names a file to keep it in)\n", c.config_file.parent_path().c_str());
    }
  } else {
    r.unused("force.wisdom_file", "with force.planning = \"estimate\"", "wisdom is kept only for planning = \"measure\"");
  }
  if (p3m) {
    c.split_cells = r.number("force.split_cells");
    c.cutoff_split = r.number("force.cutoff_split");
    c.softening_spacing = r.number("force.softening_spacing");
    const double cell = c.box.side_mpc_h / static_cast<double>(c.pm.grid_1d);
    const double r_s = c.split_cells * cell, r_cut = c.cutoff_split * r_s;
    const double eps = c.softening_spacing * c.box.lagrangian_spacing();
    if (eps > r_s)
      r.invalid("force.softening_spacing", "a softening of at most r_s = " + rounded(r_s) +
                                               " Mpc/h (the softening must act inside the short-range force; here epsilon = " +
                                               rounded(eps) + " Mpc/h)");
    const double cells = std::floor(c.box.side_mpc_h * lf::force::detail::chaining_reach / r_cut);
    if (cells < 2 * lf::force::detail::chaining_reach + 1)
      r.invalid("force.cutoff_split", "r_cut = cutoff_split x r_s <= 2L/5 = " + rounded(0.4 * c.box.side_mpc_h) +
                                          " Mpc/h (here r_cut = " + rounded(r_cut) +
                                          " Mpc/h): use a finer force.grid_1d, which shrinks r_s, or a larger box");
    if (cells > 2048)
      r.invalid("force.split_cells", "a split r_s for which the pair search needs at most 2048 cells per side (here " +
                                         rounded(cells) + "): use a coarser split");
    try {
      (void)lf::force::short_range_kernel(r_s, r_cut, eps);
    } catch (const lf::error& e) {
      r.refuse("force.type", "does not work with these P3M keys: " + library_message(e));
    }
  } else {
    const std::string context = "with force.type = \"pm\"";
    for (const char* id : {"force.split_cells", "force.cutoff_split", "force.softening_spacing"})
      r.unused(id, context, "it belongs to the P3M force (type = \"p3m\")");
  }

  // The density source (docs/physics.md §15): the sheet's keys only with source = "sheet".
  c.source = r.choice("force.source", source_kinds);
  if (c.source == source_kind::sheet) {
    if (c.assignment == assignment_kind::cic)
      std::printf("lagframe-run: note: force.source = \"sheet\" with assignment = \"cic\": the sheet's deposit error falls "
                  "as n^-2 with CIC and about n^-3 with TSC (docs/physics.md §15.2); assignment = \"tsc\" is more accurate\n");
    c.pm.source.resample = r.count("force.sheet_resample");
    c.pm.source.policy = r.choice("force.sheet_policy", sheet_policies);
    c.pm.source.interpolant = r.choice("force.sheet_interpolant", sheet_interpolants);
    if (c.pm.source.policy == lf::source::multistream_policy::global_switch) {
      c.pm.source.switch_threshold = r.number("force.switch_threshold");
    } else {
      r.unused("force.switch_threshold", "with force.sheet_policy = " + quote(name_of(sheet_policies, c.pm.source.policy)),
               "it is the threshold of sheet_policy = \"global_switch\"; remove it");
    }
  } else {
    const std::string context = "with force.source = \"particles\"";
    for (const char* id : {"force.sheet_resample", "force.sheet_policy", "force.sheet_interpolant", "force.switch_threshold"})
      r.unused(id, context, "it belongs to the sheet source (source = \"sheet\")");
  }
}

void read_stepper(reader& r, run_config& c) {
  const factors_kind asked = r.choice("stepper.factors", factors_kinds);
  const bool inertial = c.frame == frame_kind::inertial;
  if (asked == factors_kind::cola && inertial)
    r.refuse("stepper.factors", "is invalid with frame.type = \"inertial\"" + r.where("frame.type") +
                                    ": cola factors need a moving frame: use fastpm, or frame.type = lpt2");
  c.factors = asked != factors_kind::automatic ? asked : inertial ? factors_kind::fastpm : factors_kind::cola;
  if (asked == factors_kind::automatic) r.record("stepper.factors", quote(name_of(factors_kinds, c.factors)));
  if (c.factors == factors_kind::cola) {
    c.n_lpt = r.number("stepper.n_lpt");
    if (c.n_lpt == 0.0) r.invalid("stepper.n_lpt", "a non-zero exponent in (-4, 3.5) (-2.5 recommended)");
  } else {
    r.unused("stepper.n_lpt", "with " + std::string(name_of(factors_kinds, c.factors)) + " factors" +
                                  (asked == factors_kind::automatic ? " (factors = \"auto\" with frame.type = \"inertial\")" : ""),
             "n_lpt is the exponent of cola factors; remove it");
  }
  c.steps = r.count("stepper.steps");
  c.spacing = r.choice("stepper.spacing", spacings);
  c.schedule = r.choice("stepper.schedule", schedules);
  const std::string context = "with stepper.schedule = " + quote(name_of(schedules, c.schedule));
  r.spec("stepper.schedule_every");
  r.spec("stepper.schedule_points");
  r.spec("stepper.schedule_forces");
  if (c.schedule == schedule_kind::every_nth) {
    if (!r.given("stepper.schedule_every"))
      r.missing("stepper.schedule_every", "stepper.schedule", "the period n, e.g. schedule_every = 2");
    (void)r.count("stepper.schedule_every");
  } else {
    r.unused("stepper.schedule_every", context, "it is the period of schedule = \"every_nth\"; remove it");
  }
  if (c.schedule == schedule_kind::points) {
    if (!r.given("stepper.schedule_points"))
      r.missing("stepper.schedule_points", "stepper.schedule", "the kick points with a force, e.g. schedule_points = [1, 3, 5]");
    const auto points = r.counts("stepper.schedule_points");
    std::set<std::uint64_t> seen;
    for (std::size_t k = 0; k < points.size(); ++k) {
      if (points[k] > c.steps)
        fail("stepper.schedule_points" + r.element_where("stepper.schedule_points", k) + " = " +
             node_text(*r.node("stepper.schedule_points")) + " is invalid: " + std::to_string(points[k]) +
             " is beyond the last kick point (expected points 0 ... stepper.steps = " + std::to_string(c.steps) + ")");
      if (!seen.insert(points[k]).second)
        fail("stepper.schedule_points" + r.element_where("stepper.schedule_points", k) + " = " +
             node_text(*r.node("stepper.schedule_points")) + " is invalid: " + std::to_string(points[k]) +
             " appears twice (expected each kick point once)");
    }
  } else {
    r.unused("stepper.schedule_points", context, "it lists the points of schedule = \"points\"; remove it");
  }
  if (c.schedule == schedule_kind::spread_late) {
    if (!r.given("stepper.schedule_forces"))
      r.missing("stepper.schedule_forces", "stepper.schedule", "the number of force evaluations, e.g. schedule_forces = 8");
    (void)r.count("stepper.schedule_forces");
  } else {
    r.unused("stepper.schedule_forces", context, "it is the force count of schedule = \"spread_late\"; remove it");
  }
  c.allow_skipped_forces = r.boolean("stepper.allow_skipped_forces");
}

void read_output(reader& r, run_config& c) {
  c.directory = r.path("output.directory");
  const auto zs = r.numbers("output.redshifts");
  if (zs.empty()) r.invalid("output.redshifts", "at least one output redshift, e.g. [0.0]");
  for (std::size_t k = 0; k < zs.size(); ++k)
    for (std::size_t m = 0; m < k; ++m)
      if (same(zs[k], zs[m]))
        fail("output.redshifts" + r.element_where("output.redshifts", k) + " = " + node_text(*r.node("output.redshifts")) +
             " is invalid: z = " + toml_number(zs[k]) + " appears twice (expected each output redshift once)");
  c.output_redshifts = zs;
  std::sort(c.output_redshifts.begin(), c.output_redshifts.end(), std::greater<>());
  if (c.output_redshifts != zs)
    std::printf("lagframe-run: note: output.redshifts%s = %s sorted into time order: %s\n", r.where("output.redshifts").c_str(),
                redshift_list(zs).c_str(), redshift_list(c.output_redshifts).c_str());
  r.record("output.redshifts", redshift_list(c.output_redshifts));

  c.write_power_spectrum = r.boolean("output.power_spectrum");
  c.power_grid_1d = r.count("output.power_grid_1d");
  if (c.power_grid_1d == 1) r.invalid("output.power_grid_1d", "0 (the force mesh) or a mesh of at least 2 cells per side");
  if (c.power_grid_1d == 0) c.power_grid_1d = c.pm.grid_1d;
  c.power_interlacing = r.boolean("output.power_interlacing");
  c.power_shot_noise = r.choice("output.power_shot_noise", shot_noise_kinds);
  c.power_sheet_resample = r.count("output.power_sheet_resample");
  if (c.power_sheet_resample == 1)
    r.invalid("output.power_sheet_resample", "0 (the particles) or a resampling factor in [2, 8] (1 is the particles themselves)");
  if (c.power_sheet_resample > 1 && c.power_shot_noise == shot_noise_kind::subtract)
    r.refuse("output.power_shot_noise", "is not possible with output.power_sheet_resample" +
                                            r.where("output.power_sheet_resample") + " = " +
                                            std::to_string(c.power_sheet_resample) +
                                            ": the resampled sheet has no Poisson shot noise to subtract; use \"keep\"");
  c.write_slice = r.boolean("output.slice");
  c.slice_pixels = r.count("output.slice_pixels");
  c.slice_thickness_mpc_h = r.number("output.slice_thickness_mpc_h", c.box.side_mpc_h / 8.0);
  if (c.slice_thickness_mpc_h > c.box.side_mpc_h)
    r.invalid("output.slice_thickness_mpc_h", "a thickness in (0, box.side_mpc_h = " + toml_number(c.box.side_mpc_h) + "]");
  c.snapshot = r.choice("output.snapshot", snapshot_formats);
#if !defined(LAGFRAME_RUN_HAS_HDF5)
  if (c.snapshot == snapshot_format::gadget_hdf5)
    r.invalid("output.snapshot", "\"none\" or \"npy\": this lagframe-run was built without HDF5 (libhdf5-dev)");
#endif
  if (c.snapshot == snapshot_format::gadget_hdf5) {
    const auto files = r.count("output.snapshot_files");
    if (files > c.box.particle_count())
      r.invalid("output.snapshot_files", "at most one file per particle (" + std::to_string(c.box.particle_count()) + ")");
    if (files > 65536) r.invalid("output.snapshot_files", "at most 65536 files");
    c.snapshot_files = static_cast<int>(files);
    c.snapshot_double = r.boolean("output.snapshot_double");
  } else {
    const std::string context = "with output.snapshot = " + quote(name_of(snapshot_formats, c.snapshot));
    r.unused("output.snapshot_files", context, "it applies to snapshot = \"gadget_hdf5\"; remove it");
    r.unused("output.snapshot_double", context, "it applies to snapshot = \"gadget_hdf5\"; remove it");
  }
  c.plots = r.boolean("output.plots");
}

void read_lightcone(reader& r, run_config& c, bool present) {
  for (const auto& k : schema())
    if (k.section == "lightcone") r.spec(k.id());
  c.lightcone = present;
  if (!present) return;
  auto& o = c.lightcone_options;
  const double side = c.box.side_mpc_h;
  if (r.given("lightcone.observer")) {
    const auto v = r.numbers("lightcone.observer");
    if (v.size() != 3) r.invalid("lightcone.observer", "three coordinates [x, y, z] in Mpc/h");
    for (std::size_t d = 0; d < 3; ++d)
      if (!(v[d] >= 0.0 && v[d] < side))
        r.invalid("lightcone.observer", "coordinates inside the box, in [0, box.side_mpc_h = " + toml_number(side) + ")");
    o.observer = {v[0], v[1], v[2]};
  } else {
    o.observer = {0.5 * side, 0.5 * side, 0.5 * side};
    r.record("lightcone.observer", redshift_list({o.observer[0], o.observer[1], o.observer[2]}));
  }
  o.z_min = r.number("lightcone.z_min");
  o.z_max = r.number("lightcone.z_max");
  if (!(o.z_max > o.z_min)) r.invalid("lightcone.z_max", "a redshift above lightcone.z_min = " + toml_number(o.z_min));
  o.shape = r.choice("lightcone.footprint", footprints);
  if (o.shape == lf::lightcone::footprint::cone) {
    const auto axis = r.numbers("lightcone.axis");
    if (axis.size() != 3 || std::hypot(axis[0], axis[1], axis[2]) == 0.0)
      r.invalid("lightcone.axis", "a direction [x, y, z] of non-zero length");
    o.axis = {axis[0], axis[1], axis[2]};
    if (!r.given("lightcone.opening_deg"))
      r.missing("lightcone.opening_deg", "lightcone.footprint", "the cone's half-opening angle, e.g. opening_deg = 30.0");
    o.opening_deg = r.number("lightcone.opening_deg");
  } else {
    const std::string context = std::string("with lightcone.footprint = \"") + std::string(name_of(footprints, o.shape)) + "\"";
    r.unused("lightcone.axis", context, "it belongs to footprint = \"cone\"; remove it");
    r.unused("lightcone.opening_deg", context, "it belongs to footprint = \"cone\"; remove it");
  }
  if (o.shape == lf::lightcone::footprint::rectangle) {
    const auto ra = r.numbers("lightcone.ra_deg"), dec = r.numbers("lightcone.dec_deg");
    if (ra.size() != 2 || !(ra[0] >= 0.0 && ra[0] < ra[1] && ra[1] <= 360.0))
      r.invalid("lightcone.ra_deg", "[min, max] in degrees with 0 <= min < max <= 360");
    if (dec.size() != 2 || !(dec[0] >= -90.0 && dec[0] < dec[1] && dec[1] <= 90.0))
      r.invalid("lightcone.dec_deg", "[min, max] in degrees with -90 <= min < max <= 90");
    o.ra_deg = {ra[0], ra[1]};
    o.dec_deg = {dec[0], dec[1]};
  } else {
    const std::string context = std::string("with lightcone.footprint = \"") + std::string(name_of(footprints, o.shape)) + "\"";
    r.unused("lightcone.ra_deg", context, "it belongs to footprint = \"rectangle\"; remove it");
    r.unused("lightcone.dec_deg", context, "it belongs to footprint = \"rectangle\"; remove it");
  }
  if (r.given("lightcone.shell_edges_mpc_h") && r.given("lightcone.shell_width_mpc_h"))
    r.refuse("lightcone.shell_width_mpc_h", "is given with lightcone.shell_edges_mpc_h" +
                                                r.where("lightcone.shell_edges_mpc_h") +
                                                ": the shells are either listed or of one width; remove one");
  if (r.given("lightcone.shell_edges_mpc_h")) {
    o.shell_edges = r.numbers("lightcone.shell_edges_mpc_h");
    for (std::size_t k = 1; k < o.shell_edges.size(); ++k)
      if (!(o.shell_edges[k] > o.shell_edges[k - 1]))
        fail("lightcone.shell_edges_mpc_h" + r.element_where("lightcone.shell_edges_mpc_h", k) + " = " +
             node_text(*r.node("lightcone.shell_edges_mpc_h")) + " is invalid: " + toml_number(o.shell_edges[k]) +
             " does not follow " + toml_number(o.shell_edges[k - 1]) + " (expected increasing edges)");
  }
  const auto nside = r.count("lightcone.healpix_nside");
  if ((nside & (nside - 1)) != 0) r.invalid("lightcone.healpix_nside", "0 (no maps) or a power of 2");
  o.healpix_nside = static_cast<std::int64_t>(nside);
  o.max_replicas = static_cast<int>(r.count("lightcone.max_replicas"));

  if (c.frame == frame_kind::coca)
    r.refuse("frame.type", "is not possible with [lightcone]: the tCOCA frame does not report the trajectory of each "
                           "particle within a drift (use lpt2, lpt1 or inertial)");
  o.particle_fraction = r.number("lightcone.particle_fraction");
  c.lightcone_only = r.boolean("lightcone.only");
  if (c.lightcone_only && !c.scola)
    r.refuse("lightcone.only", "needs [scola] (tiles that stop early); a full-box run records its lightcone as it "
                               "goes: remove the key");
  if (c.lightcone_only && c.snapshot != snapshot_format::none)
    r.refuse("output.snapshot", "is not possible with lightcone.only = true: the tiles stop early and there is no "
                                "final state (set output.snapshot = \"none\", or lightcone.only = false)");
#if !defined(LAGFRAME_RUN_HAS_HDF5)
  r.refuse("lightcone.z_max", "is not possible: [lightcone] writes HDF5 shell files and this lagframe-run was built "
                              "without HDF5 (apt-get install libhdf5-dev, then rebuild), or remove [lightcone]");
#endif
}

void read_halos(reader& r, run_config& c, bool present) {
  for (const auto& k : schema())
    if (k.section == "halos") r.spec(k.id());
  c.halos = present;
  if (!present) return;
  c.fof.linking_length = r.number("halos.linking_length");
  c.fof.min_members = r.count("halos.min_members");
  c.fof.periodic = true;
  c.halo_centre = r.choice("halos.centre", halo_centres);
  c.spherical_overdensity = r.boolean("halos.spherical_overdensity");
  c.mass_bin_dex = r.number("halos.mass_bin_dex");
  c.bias = r.boolean("halos.bias");
  c.multipoles = r.boolean("halos.multipoles");
  c.hod = r.boolean("halos.hod");
  const char* hod_keys[] = {"halos.hod_mass",  "halos.hod_log_m_min", "halos.hod_sigma_log_m", "halos.hod_log_m0",
                            "halos.hod_log_m1", "halos.hod_alpha",    "halos.hod_seed",        "halos.line_of_sight"};
  if (!c.hod) {
    for (const char* id : hod_keys) r.unused(id, "with halos.hod = false", "set hod = true to make galaxies, or remove it");
  } else {
    c.hod_mass = r.choice("halos.hod_mass", hod_masses);
    if (c.hod_mass != lf::halos::hod_mass::fof && !c.spherical_overdensity)
      r.refuse("halos.hod_mass", "needs the spherical-overdensity masses: set halos.spherical_overdensity = true, or "
                                 "hod_mass = \"fof\"");
    auto& h = c.hod_parameters;
    h.log_m_min = r.number("halos.hod_log_m_min");
    h.sigma_log_m = r.number("halos.hod_sigma_log_m");
    h.log_m0 = r.number("halos.hod_log_m0");
    h.log_m1 = r.number("halos.hod_log_m1");
    h.alpha = r.number("halos.hod_alpha");
    try {
      h.validate();
    } catch (const lf::config_error& e) {
      r.refuse("halos.hod_log_m_min", "gives an impossible HOD: " + library_message(e));
    }
    c.hod_seed = r.count("halos.hod_seed");
    c.line_of_sight = static_cast<int>(r.count("halos.line_of_sight"));
  }
  if (c.hod && c.lightcone && c.multipoles) {
    c.fkp_p0 = r.number("halos.fkp_p0");
  } else {
    r.unused("halos.fkp_p0", "without [lightcone], hod = true and multipoles = true",
             "it weights the lightcone galaxies' multipoles; remove it");
  }
  if (c.box.particle_count() >= std::numeric_limits<std::uint32_t>::max())
    r.refuse("box.particles_1d", "is too many for [halos]: the FoF finder numbers the particles with 32 bits (at most "
                                 "1625^3 particles); remove [halos] and find the haloes in the snapshot");
  if (c.lightcone && c.lightcone_options.particle_fraction < 1.0)
    r.refuse("lightcone.particle_fraction", "is not possible with [halos]: the haloes on the lightcone are found "
                                            "among all its particles; set particle_fraction = 1.0, or remove [halos]");
#if !defined(LAGFRAME_RUN_HAS_HDF5)
  r.refuse("halos.linking_length", "is not possible: [halos] writes HDF5 catalogues and this lagframe-run was built "
                                   "without HDF5 (apt-get install libhdf5-dev, then rebuild), or remove [halos]");
#endif
}

/// frame.fields = "fixed16" is compiled for tCOLA with lpt2, the PM force of the particles and
/// COLA factors (the runs it is meant for); anything else is refused with the fix.
void check_frame_fields(reader& r, const run_config& c) {
  if (c.frame_fields != frame_fields_kind::fixed16) return;
  const std::string why = "is only for frame.type = \"lpt2\" with force.type = \"pm\", force.source = \"particles\", "
                          "COLA factors and no [scola]; ";
  if (c.frame != frame_kind::lpt2) r.refuse("frame.fields", why + "here frame.type = " + quote(name_of(frame_kinds, c.frame)) + ": set fields = \"float\"");
  if (c.force != force_kind::pm) r.refuse("frame.fields", why + "here force.type = " + quote(name_of(force_kinds, c.force)) + ": set fields = \"float\"");
  if (c.source != source_kind::particles) r.refuse("frame.fields", why + "here force.source = \"sheet\": set fields = \"float\"");
  if (c.factors != factors_kind::cola) r.refuse("frame.fields", why + "here stepper.factors = " + quote(name_of(factors_kinds, c.factors)) + ": set fields = \"float\"");
  if (c.scola) r.refuse("frame.fields", why + "here [scola] is present: set fields = \"float\"");
}

void read_scola(reader& r, run_config& c, bool present) {
  for (const auto& k : schema())
    if (k.section == "scola") r.spec(k.id());
  c.scola = present;
  if (!present) return;
  c.scola_tiling.tiles_per_side = r.count("scola.tiles_per_side");
  c.scola_tiling.buffer_mpc_h = r.number("scola.buffer_mpc_h");
  const double dq = c.box.lagrangian_spacing();
  if (r.given("scola.shell_mpc_h")) c.scola_tiling.shell_mpc_h = r.number("scola.shell_mpc_h");  // else the library's default
  c.scola_boundary = r.choice("scola.boundary", boundaries);
  c.scola_follow_bulk_flow = r.boolean("scola.follow_bulk_flow");
  c.scola_greens = r.choice("scola.greens", scola_greens_kinds);
  c.scola_executor = r.choice("scola.executor", executors);
  c.scola_tile_directory = r.path("scola.tile_directory", c.directory / "tiles");

  if (c.box.particles_1d % c.scola_tiling.tiles_per_side != 0)
    r.invalid("scola.tiles_per_side", "a divisor of box.particles_1d = " + std::to_string(c.box.particles_1d) +
                                          " (tile side L_t = " + rounded(c.box.side_mpc_h / static_cast<double>(c.scola_tiling.tiles_per_side)) +
                                          " Mpc/h must be a whole number of particle spacings of " + toml_number(dq) + " Mpc/h)");
  for (const char* id : {"scola.buffer_mpc_h", "scola.shell_mpc_h"}) {
    if (!r.given(id)) continue;
    const double v = r.number(id);
    if (std::abs(v / dq - std::round(v / dq)) > 1e-6)
      r.invalid(id, "a whole number of particle spacings of " + toml_number(dq) + " Mpc/h");
  }
  if (c.pm.grid_1d % c.box.particles_1d != 0)
    r.invalid("force.grid_1d", "a multiple of box.particles_1d = " + std::to_string(c.box.particles_1d) +
                                   " with [scola] (tile meshes have grid_1d / particles_1d cells per particle spacing)");
  c.scola_tiling.mesh_per_particle = c.pm.grid_1d / c.box.particles_1d;
  if (c.frame == frame_kind::inertial || c.frame == frame_kind::coca)
    r.invalid("frame.type", "\"lpt1\" or \"lpt2\" with [scola] (tiles are evolved in an LPT frame)");
  if (c.force == force_kind::p3m)
    r.invalid("force.type", "\"pm\" with [scola] (tiles solve Poisson with Dirichlet boundaries on their mesh)");
  if (c.source == source_kind::sheet)
    r.invalid("force.source", "\"particles\" with [scola] (tiles deposit their particles on a Dirichlet mesh)");
  if (c.output_redshifts.size() != 1)
    r.invalid("output.redshifts", "one redshift with [scola] (tiles deliver their final state only)");
  if (!c.ic_file.empty())
    r.refuse("initial_conditions.file", "is not possible with [scola]: tiles start from the seed's LPT fields");
  if (!c.restart_directory.empty())
    r.refuse("initial_conditions.restart_directory",
             "is not possible with [scola]: rerun the same configuration instead (finished tiles are skipped)");
  try {
    const lf::scola::tiling t(c.box, c.scola_tiling);
    if (!r.given("scola.shell_mpc_h")) r.record("scola.shell_mpc_h", toml_number(static_cast<double>(t.shell_1d()) * dq));
  } catch (const lf::config_error& e) {
    r.refuse("scola.tiles_per_side", "does not give a tiling: " + library_message(e));
  }
}

// ---- files named by keys -------------------------------------------------------------

void require_file(reader& r, std::string_view id, const fs::path& p) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) r.invalid(id, "a file (" + p.string() + " is a directory)");
  if (!fs::exists(p, ec)) {
    const toml::node* n = r.node(id);
    const bool relative = n != nullptr && n->value_or(std::string()) != p.string();
    r.invalid(id, "an existing file" + (relative ? " (looked for " + p.string() + ")" : std::string()));
  }
}

void load_power(reader& r, run_config& c, run_inputs& in) {
  try {
    if (c.power != power_kind::file) {
      in.power = lf::cosmology::linear_power::from_eisenstein_hu(
          c.cosmology, c.power == power_kind::eisenstein_hu ? lf::cosmology::wiggles::bao : lf::cosmology::wiggles::no_wiggle);
      return;
    }
  } catch (const lf::error& e) {
    r.refuse("initial_conditions.power_spectrum", "fails: " + library_message(e));
  }
  require_file(r, "initial_conditions.power_file", c.power_file);
  const bool transfer = c.power_layout == lf::cosmology::table_layout::class_tk ||
                        c.power_layout == lf::cosmology::table_layout::camb_tk;
  try {
    if (transfer) {
      in.power = lf::cosmology::linear_power::from_file(c.power_file.string(), c.power_layout, c.cosmology, true);
      std::printf("lagframe-run: T(k) table %s: normalised to cosmology.sigma_8 = %g\n", c.power_file.c_str(),
                  c.cosmology.sigma_8);
      return;
    }
    auto as_given = lf::cosmology::linear_power::from_file(c.power_file.string(), c.power_layout, c.cosmology, false);
    const double found = as_given.sigma_r(8.0);
    if (!(found > 0.0) || !std::isfinite(found))
      r.refuse("initial_conditions.power_file", "holds a spectrum with sigma_8 = " + toml_number(found));
    if (c.normalise_to_sigma8) {
      in.power = lf::cosmology::linear_power::from_file(c.power_file.string(), c.power_layout, c.cosmology, true);
      std::printf("lagframe-run: P(k) table %s: sigma_8 = %.4f in the table, rescaled to cosmology.sigma_8 = %g "
                  "(normalise_to_sigma8 = true)\n", c.power_file.c_str(), found, c.cosmology.sigma_8);
    } else {
      in.power = std::move(as_given);
      std::printf("lagframe-run: P(k) table %s: sigma_8 = %.4f in the table, used as given%s\n", c.power_file.c_str(), found,
                  std::abs(found / c.cosmology.sigma_8 - 1.0) > 0.01
                      ? " (cosmology.sigma_8 is not applied; normalise_to_sigma8 = true rescales the table to it)"
                      : "");
    }
  } catch (const lf::config_error&) {
    throw;
  } catch (const lf::error& e) {
    r.refuse("initial_conditions.power_file", "cannot be used: " + library_message(e));
  }
}

/// The IC file as named, or the first file of a multi-file set named by its base
/// (`base.hdf5`, `base.0.hdf5`; Gadget-2: `base.0`): the name the reader gets and messages show.
void find_ic_file(reader& r, run_config& c) {
  std::error_code ec;
  const fs::path named = c.ic_file;
  if (fs::is_directory(named, ec)) r.invalid("initial_conditions.file", "an IC file (" + named.string() + " is a directory)");
  if (fs::is_regular_file(named, ec)) return;
  std::vector<fs::path> tried{named};
  const auto candidate = [&](const std::string& suffix) {
    fs::path p = named;
    p += suffix;
    tried.push_back(p);
    return fs::is_regular_file(p, ec) ? p : fs::path();
  };
  fs::path found;
  if (c.ic_file_format == ic_format::gadget_hdf5 && named.extension() != ".hdf5") {
    found = candidate(".hdf5");
    if (found.empty()) found = candidate(".0.hdf5");
  } else if (c.ic_file_format == ic_format::gadget2) {
    found = candidate(".0");
  }
  if (found.empty()) {
    std::string list;
    for (std::size_t k = 0; k < tried.size(); ++k)
      list += (k == 0 ? "" : k + 1 == tried.size() ? " and " : ", ") + tried[k].filename().string();
    r.invalid("initial_conditions.file", "an existing file (looked for " + list + " in " + named.parent_path().string() + ")");
  }
  c.ic_file = found;
}

lf::io::ic_particles read_ics(const run_config& c, lf::io::id_convention convention) {
  if (c.ic_file_format == ic_format::gadget2) return lf::io::read_gadget2_ic(c.ic_file, convention, c.ic_length_unit_mpc_h);
#if defined(LAGFRAME_RUN_HAS_HDF5)
  return lf::io::read_gadget_hdf5_ic(c.ic_file, convention);
#else
  throw lf::config_error("built without HDF5");
#endif
}

void load_ic_file(reader& r, run_config& c, run_inputs& in) {
  try {
    in.ics = read_ics(c, c.id_convention);
  } catch (const lf::io_error& e) {
    const std::string m = library_message(e);
    if (m.find("particle id") != std::string::npos) {
      const auto other = c.id_convention == lf::io::id_convention::one_based ? lf::io::id_convention::zero_based
                                                                             : lf::io::id_convention::one_based;
      bool other_fits = false;
      try {
        (void)read_ics(c, other);
        other_fits = true;
      } catch (const lf::error&) {
      }
      if (other_fits)
        r.refuse("initial_conditions.id_convention",
                 "does not fit " + c.ic_file.filename().string() + ", whose ParticleIDs are " +
                     std::string(name_of(id_conventions, other)) + ": set id_convention = " + quote(name_of(id_conventions, other)) +
                     " (lagframe, MUSIC and monofonIC number from 0; N-GenIC and Gadget from 1)");
      r.refuse("initial_conditions.id_convention", "does not fit initial_conditions.file: " + m);
    }
    r.refuse("initial_conditions.file", "cannot be read: " + m);
  } catch (const lf::error& e) {
    r.refuse("initial_conditions.file", "cannot be read: " + library_message(e));
  }
  const auto& g = in.ics->grid;
  if (g.particles_1d != c.box.particles_1d || std::abs(g.side_mpc_h - c.box.side_mpc_h) > 1e-6 * c.box.side_mpc_h)
    r.refuse("initial_conditions.file", "holds " + std::to_string(g.particles_1d) + "^3 particles in " +
                                            toml_number(g.side_mpc_h) + " Mpc/h, but [box] says " +
                                            std::to_string(c.box.particles_1d) + "^3 in " + toml_number(c.box.side_mpc_h) +
                                            " Mpc/h: set box.particles_1d and box.side_mpc_h to the file's");
  c.z_start = 1.0 / in.ics->a - 1.0;
  if (!(c.z_start > 0.0)) r.refuse("initial_conditions.file", "starts at z = " + toml_number(c.z_start) + ": expected a start before z = 0");
  r.record("initial_conditions.z_start", toml_number(c.z_start));
}

/// The lightcone against the run's time range, and the library's own checks (replicas, shell
/// edges) on the object the run will build; shell_width_mpc_h becomes the list of edges.
void check_lightcone(reader& r, run_config& c) {
  auto& o = c.lightcone_options;
  if (o.z_max > c.z_start + 1e-12)
    r.invalid("lightcone.z_max", "a redshift not above the start z = " + toml_number(c.z_start) +
                                     " (the lightcone is recorded while the run goes on)");
  const double z_end = c.output_redshifts.back();
  if (o.z_min < z_end - 1e-12)
    r.invalid("lightcone.z_min", "a redshift not below the last output redshift z = " + toml_number(z_end) +
                                     " (the run stops there: nearer shells would never be complete)");
  const auto build = [&](const lf::lightcone::lightcone_options& opt) {
    try {
      return lf::lightcone::lightcone(c.cosmology, c.box, opt);
    } catch (const lf::config_error& e) {
      const std::string m = library_message(e);
      const char* key = m.find("replica") != std::string::npos       ? "lightcone.max_replicas"
                        : m.find("shell_edges") != std::string::npos ? "lightcone.shell_edges_mpc_h"
                        : m.find("observer") != std::string::npos    ? "lightcone.observer"
                                                                     : "lightcone.z_max";
      r.refuse(key, "does not give a lightcone: " + m);
    }
  };
  if (r.given("lightcone.shell_width_mpc_h")) {
    const double width = r.number("lightcone.shell_width_mpc_h");
    auto whole = o;
    whole.shell_edges.clear();
    const auto range = build(whole);
    const double shells = std::ceil((range.chi_max() - range.chi_min()) / width - 1e-9);
    if (shells > 1000)
      r.invalid("lightcone.shell_width_mpc_h", "a width that gives at most 1000 shells between chi(z_min) = " +
                                                   rounded(range.chi_min()) + " and chi(z_max) = " +
                                                   rounded(range.chi_max()) + " Mpc/h (here " + rounded(shells) + ")");
    o.shell_edges.clear();
    for (double edge = range.chi_min() + width; edge < range.chi_max() - 1e-9 * width; edge += width)
      o.shell_edges.push_back(edge);
  }
  const auto cone = build(o);
  if (cone.shell_count() > 1000)
    r.invalid("lightcone.shell_edges_mpc_h", "at most 1000 shells (here " + std::to_string(cone.shell_count()) + ")");
}

#if defined(LAGFRAME_RUN_HAS_HDF5)
/// A restart continues the earlier run's lightcone: its shell files must be those of the
/// restart time (partial shells are saved with each snapshot and are valid for that one only).
void check_lightcone_restart(reader& r, const run_config& c) {
  lf::lightcone::lightcone cone(c.cosmology, c.box, c.lightcone_options);
  try {
    (void)lf::io::lightcone_stream::check_resume(cone, c.restart_directory, "lightcone", 1.0 / (1.0 + c.restart_redshift));
  } catch (const lf::error& e) {
    r.refuse("initial_conditions.restart_redshift", "cannot continue the earlier run's lightcone: " + library_message(e));
  }
}
#endif

/// Output redshifts against the start; the time grid with the outputs as nodes; the force
/// schedule on it, counted in the user's steps.
void plan_time_grid(reader& r, run_config& c) {
  const std::string start = c.ic_file.empty() ? "initial_conditions.z_start = " + toml_number(c.z_start)
                                              : "the start of initial_conditions.file, z = " + toml_number(c.z_start);
  for (double& z : c.output_redshifts) {
    if (same(z, c.z_start)) z = c.z_start;
    if (z > c.z_start) r.invalid("output.redshifts", "redshifts in [0, " + start + "] (z = " + toml_number(z) + " is before the start)");
  }
  const double a_start = c.a_start();
  double a_end = 1.0 / (1.0 + c.output_redshifts.back());
  if (!(a_end > a_start * (1.0 + 1e-12))) a_end = std::max(1.0, a_start * 1.01);  // only the initial state is written
  const auto base = c.spacing == spacing_kind::log ? lf::stepper::time_grid::logarithmic(a_start, a_end, c.steps)
                                                   : lf::stepper::time_grid::linear(a_start, a_end, c.steps);
  std::vector<double> nodes(base.nodes().begin(), base.nodes().end());
  for (double z : c.output_redshifts) {
    const double a = 1.0 / (1.0 + z);
    bool present = false;
    for (double n : nodes) present = present || std::abs(n - a) <= 1e-10 * a;
    if (!present && a > a_start) nodes.push_back(a);
  }
  std::sort(nodes.begin(), nodes.end());
  c.grid_is_plain = nodes.size() == base.nodes().size();
  c.nodes = nodes;

  // The user's schedule on the user's steps, each user node mapped onto the merged grid.
  lf::stepper::force_schedule schedule = lf::stepper::force_schedule::every_step();
  switch (c.schedule) {
    case schedule_kind::every_step: break;
    case schedule_kind::every_nth: schedule = lf::stepper::force_schedule::every_nth(r.count("stepper.schedule_every")); break;
    case schedule_kind::points: {
      const auto p = r.counts("stepper.schedule_points");
      schedule = lf::stepper::force_schedule::at_points(std::vector<std::size_t>(p.begin(), p.end()));
      break;
    }
    case schedule_kind::interior: schedule = lf::stepper::force_schedule::interior(); break;
    case schedule_kind::spread_late: schedule = lf::stepper::force_schedule::spread_late(r.count("stepper.schedule_forces")); break;
  }
  const bool every_user_point = schedule.count(c.steps) == c.steps + 1;
  std::vector<bool> evaluates(nodes.size(), every_user_point);
  for (std::size_t j = 0; j <= c.steps; ++j) {
    const double a = base.node(j);
    const auto m = static_cast<std::size_t>(
        std::min_element(nodes.begin(), nodes.end(), [a](double x, double y) { return std::abs(x - a) < std::abs(y - a); }) -
        nodes.begin());
    evaluates[m] = schedule.evaluates(j, c.steps);
  }
  c.force_points.clear();
  for (std::size_t m = 0; m < nodes.size(); ++m)
    if (evaluates[m]) c.force_points.push_back(m);
  const std::size_t skipped = nodes.size() - c.force_points.size();
  if (skipped > 0 && c.frame != frame_kind::coca && !c.allow_skipped_forces)
    r.refuse("stepper.schedule",
             "is refused with frame.type = " + quote(name_of(frame_kinds, c.frame)) + " (" + std::to_string(skipped) + " of " +
                 std::to_string(nodes.size()) +
                 " kick points without a force): skipping forces in a frame without an emulator removes gravity on those "
                 "steps (measured, 64^3 in 128 Mpc/h: every_nth(2) on 10 steps gives P/P_ref = 0.74 / 0.42 / 0.12 at k = "
                 "0.4 / 0.8 / 1.6 h/Mpc, while 5 steps with every force give 1.03 / 0.95 / 0.85): use fewer steps with every "
                 "force, or set allow_skipped_forces = true");
}

/// The earlier run's effective configuration must equal this one in every key that changes
/// the evolution.
void compare_with_earlier_run(reader& r, const run_config& c, const toml::table& earlier, const fs::path& summary) {
  const toml::table now = toml::parse(c.effective_toml);
  const auto equal = [](const toml::node* a, const toml::node* b) {
    if (a == nullptr || b == nullptr) return a == b;
    if ((a->is_integer() || a->is_floating_point()) && (b->is_integer() || b->is_floating_point()))
      return same(*a->value<double>(), *b->value<double>());
    if (a->is_array() && b->is_array()) {
      const auto& x = *a->as_array();
      const auto& y = *b->as_array();
      if (x.size() != y.size()) return false;
      for (std::size_t k = 0; k < x.size(); ++k) {
        const auto u = x.get(k)->value<double>(), v = y.get(k)->value<double>();
        if (!u || !v || !same(*u, *v)) return false;
      }
      return true;
    }
    return node_text(*a) == node_text(*b);
  };
  for (const auto& k : schema()) {
    if (!k.same_on_restart) continue;
    const std::string id = k.id();
    const toml::node* a = now.at_path(id).node();
    const toml::node* b = earlier.at_path(id).node();
    if (equal(a, b)) continue;
    const std::string mine = a != nullptr ? (r.given(id) ? r.shown(id) : id + " = " + node_text(*a) + " (default)")
                                          : id + " (not used here)";
    fail(mine + " differs from the earlier run's " + (b != nullptr ? node_text(*b) : std::string("(not used there)")) +
         " (" + summary.string() + "): a restart continues that run unchanged; restore the value, or start a new run "
         "without restart_directory");
  }
}

void load_restart(reader& r, run_config& c, run_inputs& in) {
  std::error_code ec;
  if (!fs::is_directory(c.restart_directory, ec))
    r.invalid("initial_conditions.restart_directory", "the output folder of an earlier run (" + c.restart_directory.string() +
                                                          " is not a folder)");
  const fs::path summary = c.restart_directory / "run_summary.txt";
  if (!fs::is_regular_file(summary, ec))
    r.refuse("initial_conditions.restart_directory", "has no run_summary.txt: not the output folder of a lagframe-run run");
  toml::table earlier;
  try {
    earlier = toml::parse_file(summary.string());
  } catch (const toml::parse_error& e) {
    r.refuse("initial_conditions.restart_directory", "has a damaged run_summary.txt (line " +
                                                         std::to_string(e.source().begin.line) + ": " +
                                                         std::string(e.description()) + ")");
  }
  if (!earlier.contains("box"))
    r.refuse("initial_conditions.restart_directory",
             "holds a run_summary.txt without the effective configuration (written by an older lagframe-run): "
             "a restart cannot check that the runs agree");
  compare_with_earlier_run(r, c, earlier, summary);

  // Format: as asked, or the earlier run's output.snapshot.
  if (c.restart_format == snapshot_format::none) {
    const std::string written = earlier.at_path("output.snapshot").value_or(std::string("none"));
    if (written == "npy") c.restart_format = snapshot_format::npy;
    else if (written == "gadget_hdf5") c.restart_format = snapshot_format::gadget_hdf5;
    else
      r.refuse("initial_conditions.restart_directory",
               "holds no snapshots (the earlier run had output.snapshot = " + quote(written) + "): nothing to restart from");
  }
#if !defined(LAGFRAME_RUN_HAS_HDF5)
  if (c.restart_format == snapshot_format::gadget_hdf5)
    r.invalid("initial_conditions.restart_format", "\"npy\": this lagframe-run was built without HDF5 (libhdf5-dev)");
#endif
  // The restart time: one of the output times, and a snapshot there.
  bool is_output = false;
  for (double& z : c.output_redshifts)
    if (same(z, c.restart_redshift)) {
      is_output = true;
      c.restart_redshift = z;
    }
  if (!is_output)
    r.invalid("initial_conditions.restart_redshift",
              "one of output.redshifts = " + redshift_list(c.output_redshifts) + " (snapshots exist only at output times)");
  const std::string tag = redshift_tag(c.restart_redshift);
  const double a = 1.0 / (1.0 + c.restart_redshift);
  const std::size_t n = c.box.particle_count();
  restart_state state;
  state.a = a;
  try {
    if (c.restart_format == snapshot_format::npy) {
      const fs::path x = c.restart_directory / ("positions_" + tag + ".npy");
      const fs::path p = c.restart_directory / ("momenta_" + tag + ".npy");
      if (!fs::is_regular_file(x, ec) || !fs::is_regular_file(p, ec))
        r.refuse("initial_conditions.restart_redshift", "has no npy snapshot in " + c.restart_directory.string() + " (" +
                                                            x.filename().string() + " and " + p.filename().string() +
                                                            " not both there)");
      state.positions = lf::io::read_npy_vec3<float>(x);
      state.momenta = lf::io::read_npy_vec3<float>(p);
    } else {
#if defined(LAGFRAME_RUN_HAS_HDF5)
      fs::path file = c.restart_directory / ("snapshot_" + tag + ".hdf5");
      if (!fs::is_regular_file(file, ec)) file = c.restart_directory / ("snapshot_" + tag + ".0.hdf5");
      if (!fs::is_regular_file(file, ec))
        r.refuse("initial_conditions.restart_redshift", "has no Gadget snapshot in " + c.restart_directory.string() +
                                                            " (neither snapshot_" + tag + ".hdf5 nor snapshot_" + tag +
                                                            ".0.hdf5)");
      const auto snap = lf::io::read_gadget_snapshot(file);
      state.positions.resize(snap.positions.size());
      state.momenta.resize(snap.velocities.size());
      // Gadget velocities are v_pec/sqrt(a) in km/s; lagframe's p = a v_pec / (100 km/s).
      const double to_p = std::pow(a, 1.5) / 100.0;
      for (std::size_t i = 0; i < snap.ids.size(); ++i) {
        const std::size_t id = snap.ids[i];
        if (id >= state.positions.size())
          throw lf::io_error("particle id " + std::to_string(id) + " is out of range in " + file.string());
        for (int d = 0; d < 3; ++d) {
          state.positions[id][d] = static_cast<float>(snap.positions[i][d]);
          state.momenta[id][d] = static_cast<float>(snap.velocities[i][d] * to_p);
        }
      }
#endif
    }
  } catch (const lf::config_error&) {
    throw;
  } catch (const lf::error& e) {
    r.refuse("initial_conditions.restart_directory", "holds a snapshot that cannot be read: " + library_message(e));
  }
  if (state.positions.size() != n || state.momenta.size() != n)
    r.refuse("initial_conditions.restart_directory", "holds a snapshot of " + std::to_string(state.positions.size()) +
                                                         " particles at z = " + toml_number(c.restart_redshift) +
                                                         "; this configuration has " + std::to_string(n));
  in.restart = std::move(state);
}

void load_emulator(reader& r, run_config& c, run_inputs& in) {
  require_file(r, "frame.emulator_file", c.emulator_file);
  try {
    in.emulator = c.emulator == emulator_kind::torchscript ? load_torchscript(c.emulator_file) : load_fourier_linear(c.emulator_file);
  } catch (const lf::error& e) {
    const bool looks_torch = c.emulator_file.extension() == ".pt";
    r.refuse("frame.emulator_file", "cannot be loaded: " + library_message(e) +
                                        (c.emulator == emulator_kind::fourier_linear && looks_torch
                                             ? " (a TorchScript network? set frame.emulator = \"torchscript\")"
                                             : ""));
  } catch (const std::exception& e) {
    r.refuse("frame.emulator_file", "cannot be loaded: " + std::string(e.what()));
  }
  try {
    in.emulator->validate(c.box, c.nodes.front(), c.nodes.back());
  } catch (const lf::error& e) {
    r.refuse("frame.emulator_file", "does not fit this run: " + library_message(e));
  }
}

/// `dir` can be created and written: its missing folders are made, a probe file is written
/// and removed, and so are the folders made here (nothing is left).
void probe_folder(reader& r, std::string_view id, const fs::path& dir) {
  // SIGINT and SIGTERM wait until the probe is cleaned up (they end the program here: its
  // handlers are installed only when the configuration is loaded).
  sigset_t stop, previous;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, &previous);
  struct unblock {
    sigset_t* mask;
    ~unblock() { pthread_sigmask(SIG_SETMASK, mask, nullptr); }
  } restore{&previous};
  std::error_code ec;
  std::vector<fs::path> created;
  const auto cleanup = [&] {
    std::error_code ignored;
    for (auto it = created.rbegin(); it != created.rend(); ++it) fs::remove(*it, ignored);
  };
  fs::path p;
  for (const auto& part : dir) {
    p /= part;
    if (fs::exists(p, ec)) {
      if (!fs::is_directory(p, ec)) {
        cleanup();
        r.refuse(id, "cannot be created: " + p.string() + " is a file; choose another folder");
      }
      continue;
    }
    if (!fs::create_directory(p, ec)) {
      cleanup();
      r.refuse(id, "cannot be created: " + p.string() + ": " + (ec ? ec.message() : std::string("failed")) +
                       "; choose a folder you can write to");
    }
    created.push_back(p);
  }
  const fs::path probe = dir / (".lagframe-run-probe-" + std::to_string(::getpid()));
  bool ok = false;
  {
    std::ofstream f(probe);
    f << "lagframe-run write probe\n";
    f.close();
    ok = !f.fail();
  }
  fs::remove(probe, ec);
  cleanup();
  if (!ok) r.refuse(id, "is not writable (" + dir.string() + "); choose a folder you can write to");
}

}  // namespace

run_config load_config(const fs::path& file, const std::vector<std::string>& overrides, run_inputs& inputs) {
  toml::table root = parse_file(file);
  std::set<std::string> overridden;
  for (const auto& o : overrides) apply_override(root, o, overridden);
  run_config c;
  c.config_file = fs::absolute(file).lexically_normal();
  reader r(root, overridden, c.config_file.parent_path());
  r.reject_unknown();
  if (!root.contains("box"))
    fail("'" + file.string() + "' has no [box] section: every configuration states its box (side_mpc_h, particles_1d); "
         "lagframe-run --print-config prints every key");

  read_cosmology(r, c);
  c.box.side_mpc_h = r.number("box.side_mpc_h");
  c.box.particles_1d = r.count("box.particles_1d");
  read_initial_conditions(r, c);
  read_frame(r, c);
  read_force(r, c);
  read_stepper(r, c);
  read_output(r, c);
  read_scola(r, c, root.contains("scola"));
  read_lightcone(r, c, root.contains("lightcone"));
  read_halos(r, c, root.contains("halos"));
  check_frame_fields(r, c);
  r.check_all_consulted();

  // The files the keys name, then everything that depends on the start time.
  if (!c.ic_file.empty()) {
    find_ic_file(r, c);
    load_ic_file(r, c, inputs);
  }
  plan_time_grid(r, c);
  if (c.lightcone) check_lightcone(r, c);
  load_power(r, c, inputs);
  if (c.frame == frame_kind::coca) load_emulator(r, c, inputs);
  c.effective_toml = r.effective_toml();
  if (!c.restart_directory.empty()) {
    if (c.restart_redshift > c.z_start)
      r.invalid("initial_conditions.restart_redshift", "a redshift after the start z = " + toml_number(c.z_start));
    load_restart(r, c, inputs);
#if defined(LAGFRAME_RUN_HAS_HDF5)
    if (c.lightcone) check_lightcone_restart(r, c);
#endif
  }
  // Last: the folders the run will write to.
  probe_folder(r, "output.directory", c.directory);
  if (c.scola) probe_folder(r, "scola.tile_directory", c.scola_tile_directory);
  if (!c.wisdom_file.empty()) probe_folder(r, "force.wisdom_file", c.wisdom_file.parent_path());
  return c;
}

std::string reference_config() {
  std::ostringstream out;
  out << "# lagframe-run reference configuration: every key with its default and what it does.\n"
         "# Keys shown as comments have no fixed default: they are unused unless another key asks for\n"
         "# them, or their default follows from other keys (the comment says how); the value shown is\n"
         "# an example. An unknown key, a wrong type or an impossible value stops lagframe-run before it\n"
         "# writes anything (exit status 2). Relative paths are taken from this file's folder (from the\n"
         "# working directory for --set values).\n";
  for (const auto& s : sections()) {
    out << "\n";
    const std::string prefix = s.optional ? "# " : "";
    std::string header = prefix + "[" + std::string(s.name) + "]";
    header.resize(std::max<std::size_t>(header.size() + 2, 40), ' ');
    out << header << "# " << s.doc << "\n";
    for (const auto& k : schema()) {
      if (k.section != s.name) continue;
      const bool active = s.optional ? false
                                     : (k.when == presence::required || (k.when == presence::fixed && !k.inactive));
      std::string line = (active ? "" : "# ") + std::string(k.key) + " = " + std::string(k.value);
      line.resize(std::max<std::size_t>(line.size() + 2, 40), ' ');
      std::string doc(k.doc);
      if (k.type == value_type::choice) {
        doc += " [";
        for (std::size_t j = 0; j < k.choices.size(); ++j) doc += (j ? " | " : "") + std::string(k.choices[j]);
        doc += "]";
      }
      if (k.when == presence::required) doc += " (required)";
      out << line << "# " << doc << "\n";
    }
  }
  return out.str();
}

}  // namespace lagframe_run
