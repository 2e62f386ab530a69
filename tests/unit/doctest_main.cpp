// The one translation unit that holds doctest's runner, for the unit and the
// end-to-end test executables.
//
// Each ctest test runs the cases of one test file out of a shared executable
// (`--source-file=*/NAME_test.cpp`, see tests/unit/CMakeLists.txt). A filter
// that matched nothing would pass without testing anything, so a run in which
// no test case passed the filters fails.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

namespace {

unsigned g_cases_selected = 0;  // test cases that passed the filters, in the last run

// Only notes how many test cases the run selected; the default console
// reporter still prints everything.
class SelectedCaseCounter : public doctest::IReporter {
public:
    explicit SelectedCaseCounter(const doctest::ContextOptions&) {}
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& stats) override {
        g_cases_selected = stats.numTestCasesPassingFilters;
    }
    void test_case_start(const doctest::TestCaseData&) override {}
    void test_case_reenter(const doctest::TestCaseData&) override {}
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData&) override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

REGISTER_LISTENER("selected_case_counter", 1, SelectedCaseCounter);

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    if (context.shouldExit()) return result;  // --help, --count and other queries
    if (result == 0 && g_cases_selected == 0) {
        std::fprintf(stderr, "doctest_main: no test case matched the filters\n");
        return 1;
    }
    return result;
}
