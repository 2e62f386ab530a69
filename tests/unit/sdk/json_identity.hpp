// json_identity.hpp -- test helper: are two nlohmann::json values the same in
// every way a plugin can observe? nlohmann's operator== says 0 == 0u == 0.0
// and -0.0 == 0.0; a handler that asks is_number_unsigned() or prints the
// value sees the difference, so this compares the type of every value, the
// bits of every double, and the order and keys of every member.
#pragma once

#include <cstring>
#include <nlohmann/json.hpp>

namespace fastqueue::testing {

inline bool is_identical_json(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case nlohmann::json::value_t::object: {
            if (a.size() != b.size()) return false;
            auto other = b.begin();
            for (auto member = a.begin(); member != a.end(); ++member, ++other) {
                if (member.key() != other.key() || !is_identical_json(*member, *other))
                    return false;
            }
            return true;
        }
        case nlohmann::json::value_t::array: {
            if (a.size() != b.size()) return false;
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (!is_identical_json(a[i], b[i])) return false;
            }
            return true;
        }
        case nlohmann::json::value_t::number_float: {
            const double x = a.get<double>();
            const double y = b.get<double>();
            return std::memcmp(&x, &y, sizeof x) == 0;
        }
        default:
            return a == b;
    }
}

}  // namespace fastqueue::testing
