#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora: corpus/protocol_decode/, corpus/plugin_args/
and corpus/plugin_json/.

The seeds are committed; this script is how they were made and the place to
add more (or drop a file into the folder by hand). Rerunning it rewrites the
seeds it names and leaves other files, such as regression inputs, alone.

protocol_decode seeds: the first byte is the frame separator, the rest is the
frames of one message joined by it (tests/fuzz/protocol_decode_fuzzer.cpp).
One valid message of every type, plus edge cases.

plugin_args seeds: SUBMIT payloads, {"args": [...], "kwargs": {...}}, valid
ones for each task of tests/fuzz/plugin_args_fuzzer.cpp and edge cases.

plugin_json seeds: any bytes, read as JSON text (tests/fuzz/plugin_json_fuzzer.cpp);
the cases where simdjson and nlohmann's parser part ways, and values of every
kind for the writer.

wire_roles seeds: a port byte, then frames, each literal or a recipe for a
hostile frame (tests/fuzz/wire_input.hpp); one valid message of every type
for every port of both roles, and the hostile ones.

Every corpus also holds hostile seeds (names starting deep_, huge_, long_):
nesting 100,000 deep, counts over the documented limits, and strings one
byte over each documented limit (docs/protocol.md), in every frame that
holds JSON or text. regression_ seeds are inputs that once crashed or hung a
target; they must keep passing. Limits above a few hundred KB (the 1 MiB
metadata, 2 MiB task list, 4 MiB status) are reached only through the
wire_roles recipes, so that no seed file is large.
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
TASK_ID = "3f2b8c1e-9d4a-4c1b-8e2f-0a1b2c3d4e5f"
WHEN = "2026-11-27T23:52:33.123456Z"


def message(*frames, separator=b"|"):
    parts = [f if isinstance(f, bytes) else f.encode() for f in frames]
    for part in parts:
        assert separator not in part, (separator, part)
    return separator + separator.join(parts)


def metadata(status, error="", progress=None, submitted_at=WHEN):
    record = {
        "task_id": TASK_ID, "task_name": "add", "priority": "high", "status": status,
        "error": error, "attempts": 1, "worker_id": "sw1", "submitted_at": submitted_at,
        "started_at": WHEN if status != "queued" else "",
        "finished_at": WHEN if status in ("success", "failure", "cancelled") else "",
    }
    if progress is not None:
        record["progress"] = progress
    return json.dumps(record, separators=(",", ":"))


STATUS = json.dumps({
    "total_subworkers": 2, "active_subworkers": 1,
    "subworkers": {
        "sw1": {"address": "tcp://127.0.0.1:5561", "status": "active", "load": 2,
                "capacity": 4, "tasks_completed": 17, "last_seen": WHEN},
        "sw2": {"address": "tcp://127.0.0.1:5565", "status": "inactive", "load": 0,
                "capacity": 1, "tasks_completed": 0, "last_seen": WHEN},
    },
})

PROTOCOL = {
    "submit_wants_result": message("FQ/1", "SUBMIT", TASK_ID, "add", b"\x01",
                                   '{"args":[2,3]}'),
    "submit_no_result_empty_payload": message("FQ/1", "SUBMIT", TASK_ID, "mytasks.echo", b"\x00",
                                              b""),
    "submit_binary_payload": message("FQ/1", "SUBMIT", TASK_ID, "echo", b"\x01",
                                     b"\x00\xff\xfe{", separator=b"\n"),
    "ack": message("FQ/1", "ACK", TASK_ID),
    "refused": message("FQ/1", "REFUSED", TASK_ID, "busy: the queue is full"),
    "refused_no_id": message("FQ/1", "REFUSED", "", "invalid task id"),
    "query": message("FQ/1", "QUERY", TASK_ID),
    "cancel": message("FQ/1", "CANCEL", TASK_ID),
    "result_success": message("FQ/1", "RESULT", TASK_ID, metadata("success"), "5"),
    "result_failure": message("FQ/1", "RESULT", TASK_ID, metadata("failure", "boom \u00e9"), ""),
    "record_running_progress": message("FQ/1", "RECORD", TASK_ID,
                                       metadata("running", progress=0.25), ""),
    "record_queued": message("FQ/1", "RECORD", TASK_ID, metadata("queued"), ""),
    "record_cancelled": message("FQ/1", "RECORD", TASK_ID, metadata("cancelled", "cancelled"),
                                ""),
    "not_found": message("FQ/1", "NOT_FOUND", TASK_ID),
    "cancel_reply": message("FQ/1", "CANCEL_REPLY", TASK_ID, "cancelling"),
    "error": message("FQ/1", "ERROR", TASK_ID, "unknown task 'nope'"),
    "error_no_id": message("FQ/1", "ERROR", "", "not a FastQueue message"),
    "register": message("FQ/1", "REGISTER", "sw1", "tcp://127.0.0.1:5561", "4", "2",
                        '["add","echo","mytasks.sleep"]'),
    "registered": message("FQ/1", "REGISTERED", "sw1", "1000", "3"),
    "register_refused": message("FQ/1", "REGISTER_REFUSED", "sw1", "worker id sw1 is in use"),
    "heartbeat": message("FQ/1", "HEARTBEAT", "sw1", "0"),
    "deregister": message("FQ/1", "DEREGISTER", "sw1"),
    "reregister": message("FQ/1", "REREGISTER", "sw1"),
    "workers": message("FQ/1", "WORKERS"),
    "workers_reply": message("FQ/1", "WORKERS_REPLY", STATUS),
    "workers_reply_empty": message(
        "FQ/1", "WORKERS_REPLY",
        '{"total_subworkers":0,"active_subworkers":0,"subworkers":{}}'),
    "announce": message("FQ/1", "ANNOUNCE", "control-plane", "tcp://127.0.0.1:5555", "5560"),
    # Edge cases: refused, but each by a different check.
    "edge_no_frames": b"",
    "edge_other_version": message("FQ/2", "ACK", TASK_ID),
    "edge_too_many_frames": message("FQ/1", "ACK", TASK_ID, "", "", "", "", ""),
    "edge_upper_case_id": message("FQ/1", "QUERY", TASK_ID.upper()),
    "edge_unknown_flag": message("FQ/1", "SUBMIT", TASK_ID, "add", b"\x03", "{}"),
    "edge_leading_zero": message("FQ/1", "HEARTBEAT", "sw1", "007"),
    "edge_wildcard_address": message("FQ/1", "REGISTER", "sw1", "tcp://*:5561", "1", "0", "[]"),
    # Regressions: inputs that once crashed decode(), or what the receiver
    # does with its message.
    # A timestamp after 2262 overflowed the 64-bit nanosecond Timestamp.
    "regression_timestamp_overflow_status": message(
        "FQ/1", "WORKERS_REPLY", STATUS.replace("2026-11-27", "2691-11-27", 1)),
    "regression_timestamp_overflow_record": message(
        "FQ/1", "RECORD", TASK_ID, metadata("queued", submitted_at="9999-12-31T23:59:59.999999Z"),
        ""),
}

PLUGIN_ARGS = {
    "empty": b"",
    "blank": b" \n\t",
    "args_and_kwargs_null": b'{"args":null,"kwargs":null}',
    "integers": b'{"args":[-128,255,-32768,4294967295,-9223372036854775808,18446744073709551615]}',
    "integers_kwargs": b'{"kwargs":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6.0}}',
    "integers_out_of_range": b'{"args":[128,-1,1e5,1.5,9223372036854775808,-1]}',
    "floats": b'{"args":[3.4e38,1e308]}',
    "floats_overflow": b'{"kwargs":{"x":1e39,"y":-0.0}}',
    "text": b'{"args":[true,"h\\u00e9llo \\ud83d\\ude00"]}',
    "text_mixed": b'{"args":[false],"kwargs":{"text":"x"}}',
    "text_both": b'{"args":[true,"a"],"kwargs":{"text":"b"}}',
    "containers": b'{"args":[[1,2,3],{"a":[1.5,2],"b":[]},"yes"]}',
    "containers_null_optional": b'{"kwargs":{"list":[],"table":{},"maybe":null}}',
    "containers_bad_element": b'{"args":[[1,"two"],{"k":[true]}]}',
    "values": b'{"args":[{"nested":[null,{"deep":1}]},12345678901234567890,65535]}',
    "values_float_number": b'{"kwargs":{"any":null,"number":-2.5e-300,"port":65536}}',
    "points": b'{"args":[{"x":1,"y":2},[{"x":3,"y":4}]]}',
    "points_bad": b'{"args":[{"x":"1"}],"kwargs":{"more":[{"y":1}]}}',
    "positional": b'{"args":[7,"x"]}',
    "positional_kwargs": b'{"kwargs":{"count":1}}',
    "too_many_args": b'{"args":[1,2,3,4,5,6,7,8]}',
    "unknown_member": b'{"args":[],"extra":1}',
    "not_an_object": b'[1,2]',
    "args_not_array": b'{"args":{"a":1}}',
    "invalid_json": b'{"args":[1,',
    "invalid_utf8": b'{"args":["\xff\xfe"]}',
    "long_string_utf8": ('{"args":[true,"' + "\u00e9" * 40 + '"],"kwargs":{"any":["' +
                         "\u20ac" * 40 + '"]}}').encode(),
    "huge_number": b'{"args":[1e400]}',
    "nul_key": b'{"kwargs":{"\\u0000":1}}',
    # Regressions. Error messages quoted invalid input bytes (invalid_utf8
    # above), and a value shown in a message was cut inside a character.
    "regression_value_cut_in_character": ('{"args":["' + "x" * 58 + "\u00e9\u00e9" +
                                          '"]}').encode(),
}

PLUGIN_JSON = {
    "task_input": b'{"args":["0:xxxxxxxx",1,-2,3.5,true,null],"kwargs":{"k":{"a":[]}}}',
    "minus_zero": b'[0,-0,-0.0,{"a":-0}]',
    "big_integers": b'[18446744073709551615,18446744073709551616,-9223372036854775809]',
    "byte_order_mark": b'\xef\xbb\xbf{"args":[]}',
    "escapes": b'["\\u00e9\\ud83d\\ude00\\u0000\\/\\b\\f\\n\\r\\t\\"\\\\",'
               b'"caf\xc3\xa9 \x7f"]',
    "lone_surrogate": b'["\\ud800","\\udc00"]',
    "duplicate_keys": b'{"a":1,"b":2,"a":3}',
    "deep": b"[" * 1100 + b"]" * 1100,
    "number_edges": b'[1e400,1e-400,4.9e-324,-2.5E-3,123456789012345678901234567890]',
    "invalid_utf8": b'["\xff","\xc3("]',
}


# Hostile seeds. DEEP is the nesting that overflowed the control plane's
# stack through the REGISTER task list; each such seed is 200 KB.
DEEP = 100_000
NESTED = b"[" * DEEP + b"]" * DEEP
UNCLOSED = b"[" * DEEP
NESTED_OBJECTS = b'{"a":' * 20_000 + b"0" + b"}" * 20_000
# Documented limits (runtime/protocol/codec.hpp, messages.hpp, submit_options.hpp).
MAX_TASK_NAME = 128
MAX_TEXT = 4096
MAX_ADDRESS = 512
MAX_TASK_NAMES = 10_000
MAX_OPTIONS = 1024
MAX_ERROR = 64 * 1024


def json_list(count, prefix="t"):
    return ("[" + ",".join(f'"{prefix}{i}"' for i in range(count)) + "]").encode()


def json_object(count):
    return ("{" + ",".join(f'"k{i}":{i}' for i in range(count)) + "}").encode()


def register(worker_id="sw1", address="tcp://127.0.0.1:5561", tasks=b'["add","echo"]',
             capacity="4"):
    return message("FQ/1", "REGISTER", worker_id, address, capacity, "2", tasks)


def submit_with_options(options, payload='{"args":[2,3]}'):
    return message("FQ/1", "SUBMIT", TASK_ID, "add", b"\x03", payload, options)


def metadata_with(extra):
    """Record metadata with one more member holding `extra` (bytes)."""
    return metadata("success")[:-1].encode() + b',"extra":' + extra + b"}"


def status_with_subworkers(count):
    subworkers = {f"sw{i}": {"address": f"tcp://127.0.0.1:{20000 + 4 * i}", "status": "active",
                             "load": 0, "capacity": 1, "tasks_completed": i, "last_seen": WHEN}
                  for i in range(count)}
    return json.dumps({"total_subworkers": count, "active_subworkers": count,
                       "subworkers": subworkers}, separators=(",", ":"))


PROTOCOL_HOSTILE = {
    # The REGISTER task list nested DEEP: decode() wrote the offending
    # element back with a recursive dump and overflowed the stack.
    "regression_register_nested_task_list": register(tasks=NESTED),
    "regression_register_nested_objects_task_list": register(tasks=b"[" + NESTED_OBJECTS + b"]"),
    "deep_register_task_list_unclosed": register(tasks=UNCLOSED),
    # At the depth the bounded JSON reader accepts (1,024): a value this deep
    # must not be written back recursively either.
    "deep_register_task_list_at_limit": register(tasks=b"[" * 1024 + b"]" * 1024),
    "regression_submit_nested_options": submit_with_options(NESTED),
    "deep_submit_options_within_limit": submit_with_options(
        b"[" * (MAX_OPTIONS // 2) + b"]" * (MAX_OPTIONS // 2)),
    "deep_submit_options_objects_within_limit": submit_with_options(
        b'{"a":' * 170 + b"0" + b"}" * 170),
    "deep_workers_reply_status": message("FQ/1", "WORKERS_REPLY", b'{"a":' + NESTED + b"}"),
    "deep_workers_reply_subworker": message(
        "FQ/1", "WORKERS_REPLY",
        b'{"total_subworkers":1,"active_subworkers":1,"subworkers":{"sw1":' + NESTED_OBJECTS +
        b"}}"),
    "deep_result_metadata": message("FQ/1", "RESULT", TASK_ID, metadata_with(NESTED), "5"),
    "deep_record_metadata": message("FQ/1", "RECORD", TASK_ID, metadata_with(NESTED_OBJECTS), ""),
    "deep_result_metadata_unclosed": message("FQ/1", "RESULT", TASK_ID,
                                             b'{"task_id":' + UNCLOSED, "5"),
    "huge_register_task_names_at_limit": register(tasks=json_list(MAX_TASK_NAMES)),
    "huge_register_task_names_over_limit": register(tasks=json_list(MAX_TASK_NAMES + 1)),
    "huge_workers_reply_subworkers": message("FQ/1", "WORKERS_REPLY",
                                             status_with_subworkers(300)),
    "huge_workers_reply_keys": message("FQ/1", "WORKERS_REPLY", json_object(5_000)),
    "huge_result_metadata_keys": message("FQ/1", "RESULT", TASK_ID,
                                         metadata_with(json_object(5_000)), "5"),
    "huge_submit_options_keys": submit_with_options(json_object(100)),
    "long_submit_task_name": message("FQ/1", "SUBMIT", TASK_ID, "a" * (MAX_TASK_NAME + 1),
                                     b"\x01", "{}"),
    "long_submit_task_name_at_limit": message("FQ/1", "SUBMIT", TASK_ID, "a" * MAX_TASK_NAME,
                                              b"\x01", "{}"),
    "long_task_id": message("FQ/1", "QUERY", TASK_ID + "0"),
    "long_submit_options": submit_with_options(
        b'{"timeout_ms":1' + b" " * (MAX_OPTIONS - 15) + b"}"),
    "long_refused_reason": message("FQ/1", "REFUSED", TASK_ID, "r" * (MAX_TEXT + 1)),
    "long_error_text": message("FQ/1", "ERROR", TASK_ID, "e" * (MAX_TEXT + 1)),
    "long_register_refused_reason": message("FQ/1", "REGISTER_REFUSED", "sw1",
                                            "r" * (MAX_TEXT + 1)),
    "long_cancel_reply": message("FQ/1", "CANCEL_REPLY", TASK_ID, "c" * (MAX_TEXT + 1)),
    "long_worker_id": register(worker_id="w" * (MAX_TASK_NAME + 1)),
    # Worker ids of the longest valid length, registered by the thousand,
    # exhausted the control plane's memory and its workers reply.
    "regression_register_128_byte_worker_id": register(worker_id="w" * MAX_TASK_NAME),
    "long_heartbeat_worker_id": message("FQ/1", "HEARTBEAT", "w" * (MAX_TASK_NAME + 1), "0"),
    "long_register_address": register(address="tcp://" + "a" * MAX_ADDRESS + ":5561"),
    "long_announce_address": message("FQ/1", "ANNOUNCE", "control-plane",
                                     "tcp://" + "a" * MAX_ADDRESS + ":5555", "5560"),
    "long_register_capacity": register(capacity="1" * 11),
    "long_heartbeat_load": message("FQ/1", "HEARTBEAT", "sw1", "9" * 11),
    "long_result_error": message("FQ/1", "RESULT", TASK_ID,
                                 metadata("failure", "x" * (MAX_ERROR + 1)), ""),
    "long_result_bytes": message("FQ/1", "RESULT", TASK_ID, metadata("success"), "r" * 20_000),
    "long_workers_reply_string": message("FQ/1", "WORKERS_REPLY",
                                         '{"total_subworkers":"' + "x" * 20_000 + '"}'),
    # Addresses a REGISTER was accepted with although no peer can connect there.
    "regression_register_bad_ipv6_address": register(address="tcp://[:::::]:43900"),
    "edge_register_hostname_address": register(address="tcp://no-such-host.invalid:5561"),
}

# The plugin wrapper refuses JSON nested over 1,024 while it parses, so its
# corpora need one seed as deep as the finding and otherwise depths, counts
# and lengths just past its limits: large seeds only slow these fuzzers down.
PLUGIN_DEEP = 5_000
PLUGIN_NESTED = b"[" * PLUGIN_DEEP + b"]" * PLUGIN_DEEP
PLUGIN_NESTED_OBJECTS = b'{"a":' * PLUGIN_DEEP + b"0" + b"}" * PLUGIN_DEEP

PLUGIN_ARGS_HOSTILE = {
    "deep_args": b'{"args":[' + NESTED + b"]}",
    "deep_kwargs_objects": b'{"kwargs":{"any":' + PLUGIN_NESTED_OBJECTS + b"}}",
    "deep_points": b'{"args":[{"x":1,"y":2},' + PLUGIN_NESTED + b"]}",
    "deep_unclosed": b'{"args":' + b"[" * PLUGIN_DEEP,
    "huge_args": b'{"args":[' + b",".join(b"1" for _ in range(10_001)) + b"]}",
    "huge_kwargs": b'{"kwargs":' + json_object(2_000) + b"}",
    "huge_container_list": b'{"args":[[' + b",".join(b"7" for _ in range(10_001)) + b'],{},"x"]}',
    "long_string": b'{"args":[true,"' + b"x" * 20_000 + b'"]}',
    "long_key": b'{"kwargs":{"' + b"k" * 20_000 + b'":1}}',
}

PLUGIN_JSON_HOSTILE = {
    "deep_arrays": NESTED,
    "deep_objects": PLUGIN_NESTED_OBJECTS,
    "deep_unclosed": b"[" * PLUGIN_DEEP,
    # Accepted (the limit is 1,024), and then written back recursively.
    "deep_at_limit": b"[" * 1024 + b"]" * 1024,
    "deep_over_limit": b"[" * 1025 + b"]" * 1025,
    "huge_keys": json_object(2_000),
    "huge_elements": json_list(10_001),
    "long_string": b'"' + b"\xc3\xa9" * 10_000 + b'"',
}

# wire_roles: the numbers of Port and Recipe in tests/fuzz/wire_input.hpp.
CONTROL_PLANE_PORTS = range(0, 6)  # base+0..5
SUBWORKER_PORTS = range(6, 10)     # base+0..3
ALL_PORTS = range(0, 10)
(NESTED_ARRAYS, NESTED_OBJECTS_RECIPE, UNCLOSED_ARRAYS, JSON_STRING, REPEATED_BYTE, TASK_NAME_LIST,
 OBJECT_WITH_KEYS, TASK_ID_RECIPE, MESSAGE_TYPE, PROTOCOL_ID, DECIMAL, ADDRESS, WORKER_ID,
 FLAGS_BYTE, SUBMIT_OPTIONS) = range(15)


class Generated(bytes):
    """A generated frame, already in its wire_roles encoding."""


def gen(recipe, parameter):
    """A generated frame: recipe `recipe` with its parameter."""
    return Generated(bytes([2 * recipe + 1]) + parameter.to_bytes(4, "little"))


def literal(frame):
    frame = frame if isinstance(frame, bytes) else frame.encode()
    return b"\x00" + len(frame).to_bytes(4, "little") + frame


def wire(port, *frames):
    """A wire_roles input: frames are bytes or str (literal), or gen() output."""
    parts = [f if isinstance(f, Generated) else literal(f) for f in frames]
    return bytes([port]) + b"".join(parts)


def frames_of(message_bytes):
    """The frames of a protocol_decode seed (first byte: the separator)."""
    if not message_bytes:
        return []
    return message_bytes[1:].split(message_bytes[:1])


# One message of each type, as the PROTOCOL seeds hold them.
ONE_OF_EACH_TYPE = ["submit_wants_result", "ack", "refused", "query", "cancel", "result_success",
                    "record_queued", "not_found", "cancel_reply", "error", "register",
                    "registered", "register_refused", "heartbeat", "deregister", "reregister",
                    "workers", "workers_reply", "announce"]
OVERSIZED = 16 * 1024 * 1024 + 4097  # one byte over a priority port's message limit


def wire_seeds():
    seeds = {}
    for port in ALL_PORTS:
        for name in ONE_OF_EACH_TYPE:
            # A literal frame could start with an odd byte; wire() marks them all.
            seeds[f"port{port}_{name}"] = bytes([port]) + b"".join(
                literal(f) for f in frames_of(PROTOCOL[name]))
        seeds[f"port{port}_submit_options"] = bytes([port]) + b"".join(
            literal(f) for f in frames_of(submit_with_options('{"timeout_ms":1000}')))
        # The findings, one per port: every port decoded before it checked the type.
        seeds[f"regression_port{port}_register_nested_task_list"] = wire(
            port, "FQ/1", "REGISTER", "sw-deep", "tcp://127.0.0.1:5561", "4", "2",
            gen(NESTED_ARRAYS, DEEP))
        seeds[f"regression_port{port}_submit_nested_options"] = wire(
            port, "FQ/1", "SUBMIT", TASK_ID, "echo", b"\x03", "{}", gen(NESTED_ARRAYS, DEEP))
        seeds[f"regression_port{port}_oversized_frame"] = wire(
            port, "FQ/1", "SUBMIT", TASK_ID, "echo", b"\x01", gen(REPEATED_BYTE, OVERSIZED))
        seeds[f"deep_port{port}_submit_payload"] = wire(
            port, "FQ/1", "SUBMIT", gen(TASK_ID_RECIPE, port), "echo", b"\x01",
            gen(NESTED_ARRAYS, DEEP))
    # Nested metadata and status, to a port of each kind (a role parses
    # these before it checks the type, and slowly in the fuzzing build).
    for port in (0, 4, 5, 6):
        seeds[f"deep_port{port}_result_metadata"] = wire(
            port, "FQ/1", "RESULT", TASK_ID, gen(NESTED_OBJECTS_RECIPE, DEEP), "")
    seeds["deep_query_workers_reply"] = wire(4, "FQ/1", "WORKERS_REPLY",
                                             gen(NESTED_ARRAYS, DEEP))
    management = 5
    seeds["regression_register_128_byte_worker_id"] = wire(
        management, "FQ/1", "REGISTER", gen(WORKER_ID, 128), "tcp://127.0.0.1:5561", "4", "2",
        '["echo"]')
    seeds["huge_register_task_names_over_limit"] = wire(
        management, "FQ/1", "REGISTER", "sw-many", "tcp://127.0.0.1:5561", "4", "2",
        gen(TASK_NAME_LIST, MAX_TASK_NAMES + 1))
    seeds["huge_register_task_list_over_2_mib"] = wire(
        management, "FQ/1", "REGISTER", "sw-many", "tcp://127.0.0.1:5561", "4", "2",
        gen(REPEATED_BYTE, 2 * 1024 * 1024 + 1))
    seeds["huge_heartbeat_frame"] = wire(management, "FQ/1", "HEARTBEAT", "sw1",
                                         gen(REPEATED_BYTE, OVERSIZED))
    seeds["long_register_worker_id"] = wire(
        management, "FQ/1", "REGISTER", gen(WORKER_ID, MAX_TASK_NAME + 1), "tcp://127.0.0.1:5561",
        "4", "2", '["echo"]')
    seeds["long_register_address"] = wire(
        management, "FQ/1", "REGISTER", "sw1", "tcp://" + "a" * MAX_ADDRESS + ":5561", "4", "2",
        '["echo"]')
    seeds["register_then_dispatch"] = wire(
        management, "FQ/1", "REGISTER", "sw-echo", "tcp://127.0.0.1:5561", "2", "0",
        '["echo","fail"]')
    query = 4
    seeds["huge_query_result_metadata_over_1_mib"] = wire(
        query, "FQ/1", "RESULT", TASK_ID, gen(REPEATED_BYTE, 1024 * 1024 + 1), "")
    seeds["huge_query_workers_reply_over_4_mib"] = wire(
        query, "FQ/1", "WORKERS_REPLY", gen(REPEATED_BYTE, 4 * 1024 * 1024 + 1))
    seeds["huge_query_workers_reply_keys"] = wire(query, "FQ/1", "WORKERS_REPLY",
                                                  gen(OBJECT_WITH_KEYS, 12_000))
    seeds["long_query_result_metadata_string"] = wire(
        query, "FQ/1", "RESULT", TASK_ID, gen(JSON_STRING, 200_000), "")
    for port in (1, 7):
        seeds[f"long_port{port}_submit_task_name"] = wire(
            port, "FQ/1", "SUBMIT", TASK_ID, gen(WORKER_ID, MAX_TASK_NAME + 1), b"\x01", "{}")
        seeds[f"long_port{port}_submit_options"] = wire(
            port, "FQ/1", "SUBMIT", TASK_ID, "echo", b"\x03", "{}", gen(JSON_STRING, MAX_OPTIONS))
        seeds[f"port{port}_submit_fail"] = wire(port, "FQ/1", "SUBMIT", gen(TASK_ID_RECIPE, 7),
                                                "fail", b"\x01", "{}")
        seeds[f"port{port}_eight_frames"] = wire(port, "FQ/1", "SUBMIT", TASK_ID, "echo", b"\x01",
                                                 "{}", "{}", "")
    return seeds


def write(folder, seeds):
    target = HERE / "corpus" / folder
    target.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (target / name).write_bytes(data)


if __name__ == "__main__":
    write("protocol_decode", {**PROTOCOL, **PROTOCOL_HOSTILE})
    write("plugin_args", {**PLUGIN_ARGS, **PLUGIN_ARGS_HOSTILE})
    write("plugin_json", {**PLUGIN_JSON, **PLUGIN_JSON_HOSTILE})
    write("wire_roles", wire_seeds())
