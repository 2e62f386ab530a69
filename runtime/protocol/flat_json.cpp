// flat_json.cpp -- see flat_json.hpp.
#include "protocol/flat_json.hpp"

#include <nlohmann/json.hpp>

namespace fastqueue::protocol {

// nlohmann's SAX events, turned into the top-level object's members. Depth 0
// is outside every value, 1 inside the top-level object or array; values
// deeper than that belong to a structured member and are skipped.
class FlatJsonReader {
public:
    using json = nlohmann::json;

    explicit FlatJsonReader(FlatJsonObject& object) : object_(object) {}

    bool null() { return scalar(FlatJsonValue{}); }
    bool boolean(bool value) {
        FlatJsonValue v;
        v.kind = FlatJsonValue::Kind::boolean;
        v.boolean = value;
        return scalar(std::move(v));
    }
    bool number_integer(json::number_integer_t value) {  // only negative integers come here
        FlatJsonValue v;
        v.kind = FlatJsonValue::Kind::negative_integer;
        v.negative_integer = value;
        return scalar(std::move(v));
    }
    bool number_unsigned(json::number_unsigned_t value) {
        FlatJsonValue v;
        v.kind = FlatJsonValue::Kind::unsigned_integer;
        v.unsigned_integer = value;
        return scalar(std::move(v));
    }
    bool number_float(json::number_float_t value, const json::string_t&) {
        FlatJsonValue v;
        v.kind = FlatJsonValue::Kind::floating;
        v.floating = value;
        return scalar(std::move(v));
    }
    bool string(json::string_t& value) {
        if (depth_ != 1 || !is_member_value()) return true;
        FlatJsonValue& v = object_.members_.back().second;
        v.kind = FlatJsonValue::Kind::string;
        v.string = std::move(value);
        return true;
    }
    bool binary(json::binary_t&) { return scalar(FlatJsonValue{}); }  // never in JSON text

    bool start_object(std::size_t) {
        if (depth_ == 0) object_.is_object_ = true;
        return open();
    }
    bool key(json::string_t& name) {
        if (depth_ == 1 && object_.is_object_) {
            object_.members_.emplace_back(std::move(name), FlatJsonValue{});
        }
        return true;
    }
    bool end_object() { return close(); }
    bool start_array(std::size_t) { return open(); }
    bool end_array() { return close(); }

    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
        return false;
    }

private:
    // A value at depth 1 is a member's value only inside the top-level
    // object (inside a top-level array there are no members).
    bool is_member_value() const { return object_.is_object_ && !object_.members_.empty(); }

    bool scalar(FlatJsonValue&& value) {
        if (depth_ == 1 && is_member_value()) object_.members_.back().second = std::move(value);
        return true;
    }
    bool open() {
        if (depth_ == 1 && is_member_value()) {
            object_.members_.back().second.kind = FlatJsonValue::Kind::structured;
        }
        ++depth_;
        return true;
    }
    bool close() {
        --depth_;
        return true;
    }

    FlatJsonObject& object_;
    int depth_ = 0;
};

double FlatJsonValue::as_double() const {
    switch (kind) {
        case Kind::unsigned_integer: return static_cast<double>(unsigned_integer);
        case Kind::negative_integer: return static_cast<double>(negative_integer);
        default: return floating;
    }
}

std::optional<FlatJsonObject> FlatJsonObject::parse(std::string_view text) {
    FlatJsonObject object;
    object.members_.reserve(16);
    FlatJsonReader reader(object);
    if (!nlohmann::json::sax_parse(text.begin(), text.end(), &reader)) return std::nullopt;
    return object;
}

const FlatJsonValue* FlatJsonObject::find(std::string_view key) const {
    for (auto it = members_.rbegin(); it != members_.rend(); ++it) {
        if (it->first == key) return &it->second;
    }
    return nullptr;
}

}  // namespace fastqueue::protocol
