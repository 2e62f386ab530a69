// abi_header_cxx_test.cpp -- the same frozen-layout checks as abi_layout_test.c,
// compiled as C++: proves plugin.h is usable from C++ (extern "C", no C-only
// constructs) and that a C++ compiler lays the structs out as a C compiler does.
#include "abi_layout_test.c"
