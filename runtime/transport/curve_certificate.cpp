// curve_certificate.cpp -- see curve_certificate.hpp.
#include "transport/curve_certificate.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace fastqueue {

namespace {

// A certificate is a few hundred bytes; anything much larger is not one.
constexpr std::size_t kMaxCertificateBytes = 64 * 1024;

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

// The value of a ZPL line `name = value` after its name: quoted ("..." or
// '...') or a bare token ending at whitespace or a comment.
std::optional<std::string> zpl_value(std::string_view rest) {
    rest = trim(rest);
    if (rest.empty() || rest.front() != '=') return std::nullopt;
    rest = trim(rest.substr(1));
    if (rest.empty()) return std::string{};
    if (rest.front() == '"' || rest.front() == '\'') {
        const char quote = rest.front();
        const auto end = rest.find(quote, 1);
        if (end == std::string_view::npos) return std::nullopt;
        return std::string(rest.substr(1, end - 1));
    }
    const auto end = rest.find_first_of(" \t#");
    return std::string(rest.substr(0, end));
}

std::string header(const char* kind) {
    std::array<char, 32> when{};
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    std::strftime(when.data(), when.size(), "%Y-%m-%d %H:%M:%S", &utc);
    return std::string("#   ****  Generated on ") + when.data() + " by FastQueue  ****\n" +
           "#   ZeroMQ CURVE " + kind + " Certificate\n";
}

std::string read_small_file(const std::string& path, struct stat* status) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw CurveCertificateError(path + ": cannot open: " + std::strerror(errno));
    std::string text;
    if (::fstat(fd, status) != 0 || !S_ISREG(status->st_mode)) {
        ::close(fd);
        throw CurveCertificateError(path + ": not a regular file");
    }
    std::array<char, 4096> buffer{};
    while (text.size() <= kMaxCertificateBytes) {
        const ssize_t got = ::read(fd, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            const int saved = errno;
            ::close(fd);
            throw CurveCertificateError(path + ": cannot read: " + std::strerror(saved));
        }
        if (got == 0) break;
        text.append(buffer.data(), static_cast<std::size_t>(got));
    }
    ::close(fd);
    if (text.size() > kMaxCertificateBytes) {
        throw CurveCertificateError(path + ": too large for a certificate (over " +
                                    std::to_string(kMaxCertificateBytes) + " bytes)");
    }
    return text;
}

CurveKeyPair read_certificate(const std::string& path, bool is_secret_expected) {
    struct stat status {};
    const std::string text = read_small_file(path, &status);
    std::string error;
    auto keys = parse_curve_certificate(text, is_secret_expected, &error);
    if (!keys) throw CurveCertificateError(path + ": " + error);
    if (is_secret_expected && (status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        std::ostringstream mode;
        mode << std::oct << (status.st_mode & 0777);
        throw CurveCertificateError(path + ": holds a secret key but has mode 0" + mode.str() +
                                    "; make it readable by its owner only (chmod 600 " + path +
                                    ")");
    }
    return std::move(*keys);
}

// Creates path exclusively with `mode` and writes text; false with *error on
// failure (the file is removed again when writing failed).
bool write_exclusive(const std::string& path, const std::string& text, mode_t mode,
                     std::string* error) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        *error = path + ": " +
                 (errno == EEXIST ? std::string("already exists; refusing to overwrite it")
                                  : std::string("cannot create: ") + std::strerror(errno));
        return false;
    }
    // The umask may have taken bits away from the public file; the secret
    // file's mode is exact either way.
    bool is_ok = ::fchmod(fd, mode) == 0;
    std::size_t written = 0;
    while (is_ok && written < text.size()) {
        const ssize_t put = ::write(fd, text.data() + written, text.size() - written);
        if (put < 0 && errno == EINTR) continue;
        if (put < 0) {
            is_ok = false;
            break;
        }
        written += static_cast<std::size_t>(put);
    }
    if (is_ok) is_ok = ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    if (!is_ok) {
        ::unlink(path.c_str());
        *error = path + ": cannot write: " + std::strerror(saved);
    }
    return is_ok;
}

}  // namespace

CurveKeyPair generate_curve_key_pair() {
    std::array<char, kCurveKeyZ85Length + 1> public_key{};
    std::array<char, kCurveKeyZ85Length + 1> secret_key{};
    if (zmq_curve_keypair(public_key.data(), secret_key.data()) != 0) {
        throw CurveCertificateError(std::string("cannot generate a CURVE key pair: ") +
                                    zmq_strerror(zmq_errno()) +
                                    " (libzmq was built without CURVE support)");
    }
    return {public_key.data(), secret_key.data()};
}

bool is_curve_key_text(std::string_view text) {
    if (text.size() != kCurveKeyZ85Length) return false;
    const std::string copy(text);
    std::array<std::uint8_t, 32> bytes{};
    return zmq_z85_decode(bytes.data(), copy.c_str()) != nullptr;
}

std::optional<CurveKeyPair> parse_curve_certificate(std::string_view text, bool is_secret_expected,
                                                    std::string* error) {
    std::optional<std::string> public_key;
    std::optional<std::string> secret_key;
    bool is_in_curve = false;
    int line_number = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++line_number;
        const std::string_view content = trim(line);
        if (content.empty() || content.front() == '#') continue;
        const bool is_indented = line.front() == ' ' || line.front() == '\t';
        if (!is_indented) {
            // A top-level section: only `curve` holds what we read.
            const auto name_end = content.find_first_of(" \t=");
            is_in_curve = content.substr(0, name_end) == "curve";
            continue;
        }
        if (!is_in_curve) continue;
        const auto name_end = content.find_first_of(" \t=");
        if (name_end == std::string_view::npos) continue;
        const std::string_view name = content.substr(0, name_end);
        if (name != "public-key" && name != "secret-key") continue;
        auto value = zpl_value(content.substr(name_end));
        if (!value) {
            *error = "line " + std::to_string(line_number) + ": malformed " + std::string(name) +
                     " (expected " + std::string(name) + " = \"KEY\")";
            return std::nullopt;
        }
        (name == "public-key" ? public_key : secret_key) = std::move(*value);
    }
    if (!public_key) {
        *error = "not a CURVE certificate: no public-key in a curve section";
        return std::nullopt;
    }
    if (!is_curve_key_text(*public_key)) {
        *error = "public-key is not a CURVE key (40 characters of Z85)";
        return std::nullopt;
    }
    if (!is_secret_expected) return CurveKeyPair{std::move(*public_key), {}};
    if (!secret_key) {
        *error = "no secret-key: this is a public certificate; give the .key_secret file";
        return std::nullopt;
    }
    if (!is_curve_key_text(*secret_key)) {
        *error = "secret-key is not a CURVE key (40 characters of Z85)";
        return std::nullopt;
    }
    std::array<char, kCurveKeyZ85Length + 1> derived{};
    if (zmq_curve_public(derived.data(), secret_key->c_str()) != 0 ||
        *public_key != derived.data()) {
        *error = "the secret-key does not belong to the public-key beside it";
        return std::nullopt;
    }
    return CurveKeyPair{std::move(*public_key), std::move(*secret_key)};
}

std::string format_public_certificate(const CurveKeyPair& keys) {
    return header("Public") +
           "#   Exchange securely, or use a secure mechanism to verify the contents\n"
           "#   of this file after exchange.\n"
           "\n"
           "metadata\n"
           "curve\n"
           "    public-key = \"" +
           keys.public_key + "\"\n";
}

std::string format_secret_certificate(const CurveKeyPair& keys) {
    return header("**Secret**") +
           "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"
           "\n"
           "metadata\n"
           "curve\n"
           "    public-key = \"" +
           keys.public_key + "\"\n    secret-key = \"" + keys.secret_key + "\"\n";
}

void write_curve_certificates(const std::string& prefix, const CurveKeyPair& keys) {
    const std::string public_path = prefix + ".key";
    const std::string secret_path = prefix + ".key_secret";
    // Both names are checked first so that neither is written when either exists.
    for (const std::string& path : {public_path, secret_path}) {
        struct stat status {};
        if (::lstat(path.c_str(), &status) == 0) {
            throw CurveCertificateError(path + ": already exists; refusing to overwrite it");
        }
    }
    std::string error;
    if (!write_exclusive(secret_path, format_secret_certificate(keys), 0600, &error)) {
        throw CurveCertificateError(error);
    }
    if (!write_exclusive(public_path, format_public_certificate(keys), 0644, &error)) {
        ::unlink(secret_path.c_str());
        throw CurveCertificateError(error);
    }
}

std::string read_curve_public_key(const std::string& path) {
    return read_certificate(path, /*is_secret_expected=*/false).public_key;
}

CurveKeyPair read_curve_secret_key(const std::string& path) {
    return read_certificate(path, /*is_secret_expected=*/true);
}

}  // namespace fastqueue
