// curve_certificate_test.cpp -- CURVE certificate files
// (runtime/transport/curve_certificate.cpp): what keygen writes reads back,
// with the modes a user checks; existing files are never replaced; every
// kind of broken certificate is refused with a message naming the problem.
#include "transport/curve_certificate.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "../journal/journal_test_support.hpp"

using namespace fastqueue;

namespace {

using fastqueue::test::JournalTempDir;

std::string file_in(const JournalTempDir& dir, const std::string& name) {
    return (dir.path() / name).string();
}

unsigned mode_of(const std::string& path) {
    struct stat status {};
    REQUIRE(::stat(path.c_str(), &status) == 0);
    return status.st_mode & 0777;
}

void write_text(const std::string& path, const std::string& text, unsigned mode) {
    std::ofstream(path) << text;
    REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string error_of(std::string_view text, bool is_secret_expected) {
    std::string error;
    CHECK_FALSE(parse_curve_certificate(text, is_secret_expected, &error).has_value());
    return error;
}

}  // namespace

TEST_CASE(
    "CurveCertificate: a written pair reads back, the secret file readable by its owner only") {
    JournalTempDir dir;
    const CurveKeyPair keys = generate_curve_key_pair();
    CHECK(is_curve_key_text(keys.public_key));
    CHECK(is_curve_key_text(keys.secret_key));
    write_curve_certificates(file_in(dir, "server"), keys);

    CHECK(mode_of(file_in(dir, "server.key_secret")) == 0600);
    CHECK(mode_of(file_in(dir, "server.key")) == 0644);
    CHECK(read_curve_public_key(file_in(dir, "server.key")) == keys.public_key);
    const CurveKeyPair read = read_curve_secret_key(file_in(dir, "server.key_secret"));
    CHECK(read.public_key == keys.public_key);
    CHECK(read.secret_key == keys.secret_key);
    // The public file holds no secret.
    std::ifstream in(file_in(dir, "server.key"));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text.find(keys.secret_key) == std::string::npos);
    CHECK(text.find("public-key = \"" + keys.public_key + "\"") != std::string::npos);
}

TEST_CASE("CurveCertificate: an existing file of either name is never overwritten") {
    JournalTempDir dir;
    write_text(file_in(dir, "a.key"), "mine", 0644);
    CHECK_THROWS_WITH_AS(write_curve_certificates(file_in(dir, "a"), generate_curve_key_pair()),
                         doctest::Contains("already exists"), CurveCertificateError);
    CHECK_FALSE(std::filesystem::exists(file_in(dir, "a.key_secret")));
    std::ifstream in(file_in(dir, "a.key"));
    std::string kept;
    in >> kept;
    CHECK(kept == "mine");

    write_text(file_in(dir, "b.key_secret"), "mine", 0600);
    CHECK_THROWS_AS(write_curve_certificates(file_in(dir, "b"), generate_curve_key_pair()),
                    CurveCertificateError);
    CHECK_FALSE(std::filesystem::exists(file_in(dir, "b.key")));
}

TEST_CASE("CurveCertificate: a secret file others may read is refused, naming chmod 600") {
    JournalTempDir dir;
    const CurveKeyPair keys = generate_curve_key_pair();
    write_text(file_in(dir, "open.key_secret"), format_secret_certificate(keys), 0644);
    CHECK_THROWS_WITH_AS(read_curve_secret_key(file_in(dir, "open.key_secret")),
                         doctest::Contains("chmod 600"), CurveCertificateError);
    // Its public key may still be read from it.
    CHECK(read_curve_public_key(file_in(dir, "open.key_secret")) == keys.public_key);
}

TEST_CASE("CurveCertificate: a public certificate given as the secret one is refused") {
    JournalTempDir dir;
    const CurveKeyPair keys = generate_curve_key_pair();
    write_text(file_in(dir, "x.key"), format_public_certificate(keys), 0600);
    CHECK_THROWS_WITH_AS(read_curve_secret_key(file_in(dir, "x.key")),
                         doctest::Contains("give the .key_secret file"), CurveCertificateError);
    CHECK_THROWS_WITH_AS(read_curve_public_key(file_in(dir, "missing.key")),
                         doctest::Contains("cannot open"), CurveCertificateError);
}

TEST_CASE("CurveCertificate: broken certificates are refused with the reason") {
    const CurveKeyPair keys = generate_curve_key_pair();
    const CurveKeyPair other = generate_curve_key_pair();
    CHECK(error_of("", false).find("no public-key") != std::string::npos);
    CHECK(error_of("hello world\n", false).find("no public-key") != std::string::npos);
    // A key outside the curve section does not count.
    CHECK(error_of("metadata\n    public-key = \"" + keys.public_key + "\"\n", false)
              .find("no public-key") != std::string::npos);
    CHECK(error_of("curve\n    public-key = \"short\"\n", false).find("not a CURVE key") !=
          std::string::npos);
    CHECK(
        error_of("curve\n    public-key = \"" + keys.public_key + "\n", false).find("malformed") !=
        std::string::npos);
    // A secret key that is not the public key's.
    CHECK(error_of("curve\n    public-key = \"" + keys.public_key + "\"\n    secret-key = \"" +
                       other.secret_key + "\"\n",
                   true)
              .find("does not belong") != std::string::npos);
    // 40 characters, but not Z85.
    CHECK_FALSE(is_curve_key_text(std::string(40, '"')));
    CHECK_FALSE(is_curve_key_text(keys.public_key.substr(1)));
}

TEST_CASE("CurveCertificate: the texts it writes parse, and ZPL comments and quotes are read") {
    const CurveKeyPair keys = generate_curve_key_pair();
    std::string error;
    auto parsed = parse_curve_certificate(format_secret_certificate(keys), true, &error);
    REQUIRE(parsed.has_value());
    CHECK(parsed->secret_key == keys.secret_key);
    auto single = parse_curve_certificate(
        "# comment\nmetadata\n    name = x\ncurve\n\tpublic-key = '" + keys.public_key + "'\n",
        false, &error);
    REQUIRE(single.has_value());
    CHECK(single->public_key == keys.public_key);
    CHECK(single->secret_key.empty());
}
