// The one translation unit that holds doctest's runner for every unit test
// executable.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
