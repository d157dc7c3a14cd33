# The README's user program is examples/user_program.cpp, compiled with the examples: the code
# block under "A program (`examples/user_program.cpp`)" must equal that file without its
# three leading comment lines. Usage: cmake -DSOURCE_DIR=<repo> -P check_user_program.cmake
file(READ "${SOURCE_DIR}/README.md" readme)
file(READ "${SOURCE_DIR}/examples/user_program.cpp" program)
string(FIND "${readme}" "(`examples/user_program.cpp`):\n\n```cpp\n" start)
if(start EQUAL -1)
  message(FATAL_ERROR "README.md: no code block introduced by (`examples/user_program.cpp`):")
endif()
string(LENGTH "(`examples/user_program.cpp`):\n\n```cpp\n" intro)
math(EXPR start "${start} + ${intro}")
string(SUBSTRING "${readme}" ${start} -1 rest)
string(FIND "${rest}" "```" stop)
string(SUBSTRING "${rest}" 0 ${stop} block)
string(REGEX REPLACE "^//[^\n]*\n//[^\n]*\n//[^\n]*\n" "" program "${program}")
if(NOT block STREQUAL program)
  message(FATAL_ERROR "README.md's user program differs from examples/user_program.cpp: update one from the other")
endif()
message(STATUS "README.md's user program is examples/user_program.cpp")
