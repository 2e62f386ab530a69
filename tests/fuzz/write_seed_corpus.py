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


def write(folder, seeds):
    target = HERE / "corpus" / folder
    target.mkdir(parents=True, exist_ok=True)
    for name, data in seeds.items():
        (target / name).write_bytes(data)


if __name__ == "__main__":
    write("protocol_decode", PROTOCOL)
    write("plugin_args", PLUGIN_ARGS)
    write("plugin_json", PLUGIN_JSON)
