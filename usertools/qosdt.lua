-- SPDX-License-Identifier: BSD-3-Clause
--
-- Wireshark / tshark dissector for the qosdt message: one HyperAMP request
-- or reply in an Ethernet frame of EtherType 0x88B5 (doc/message.md,
-- lib/qosdt_msg.h). It shows every header field, the service's name, its
-- class under the default service map (config/qos.json's "services") and
-- the result; the Info column sums a frame up.
--
-- Install (doc/message.md):
--   mkdir -p ~/.local/lib/wireshark/plugins
--   cp usertools/qosdt.lua ~/.local/lib/wireshark/plugins/
-- or for one run:
--   tshark -X lua_script:usertools/qosdt.lua -r capture.pcapng
--
-- Display filter fields: qosdt.version, qosdt.flags, qosdt.flags.reply,
-- qosdt.service, qosdt.service_name, qosdt.class, qosdt.result,
-- qosdt.reserved, qosdt.length, qosdt.request_id, qosdt.timestamp,
-- qosdt.payload, qosdt.padding.

local ETHER_TYPE = 0x88B5
local HDR_LEN = 26          -- message header after the Ethernet header
local VERSION = 1
local F_REPLY = 0x01

-- The services by id (app/services.c); any other id is "unknown".
local SERVICES = {
	[1] = "echo", [2] = "flip", [3] = "caesar_enc", [4] = "caesar_dec",
	[5] = "xor_enc", [6] = "xor_dec", [7] = "rot13_enc", [8] = "rot13_dec",
	[9] = "djb2", [10] = "crc32", [11] = "fnv1a", [12] = "xorshift32",
	[13] = "lcg", [14] = "random_string", [15] = "random_letter",
}

-- The default service map (config/qos.json, lib/qosdt_config_load.c): ids 1-2
-- realtime, 3-8 reliable, 9-11 throughput, the rest best effort. The test
-- (test/dpdk_tools.py) checks this against config/qos.json.
local function class_of(id)
	if id >= 1 and id <= 2 then return "realtime" end
	if id >= 3 and id <= 8 then return "reliable" end
	if id >= 9 and id <= 11 then return "throughput" end
	return "best_effort"
end

local RESULTS = {
	[0] = "none (request)", [1] = "success", [2] = "fail",
	[3] = "no such service",
}

local qosdt = Proto("qosdt", "qosdt message (HyperAMP over net_shm)")

local f = qosdt.fields
f.version = ProtoField.uint8("qosdt.version", "Version", base.DEC)
f.flags = ProtoField.uint8("qosdt.flags", "Flags", base.HEX)
f.reply = ProtoField.bool("qosdt.flags.reply", "Reply", 8,
	{ "a reply", "a request" }, F_REPLY)
f.flags_other = ProtoField.uint8("qosdt.flags.other", "Other flag bits",
	base.HEX, nil, 0xFE)
f.service = ProtoField.uint16("qosdt.service", "Service id", base.DEC)
f.service_name = ProtoField.string("qosdt.service_name", "Service")
f.class = ProtoField.string("qosdt.class", "Class (default service map)")
f.result = ProtoField.uint8("qosdt.result", "Result", base.DEC, RESULTS)
f.reserved = ProtoField.uint8("qosdt.reserved", "Reserved", base.HEX)
f.length = ProtoField.uint32("qosdt.length", "Payload length", base.DEC)
f.request_id = ProtoField.uint64("qosdt.request_id", "Request id", base.DEC)
f.timestamp = ProtoField.uint64("qosdt.timestamp",
	"Timestamp (ns, the requester's clock)", base.DEC)
f.payload = ProtoField.bytes("qosdt.payload", "Payload")
f.padding = ProtoField.bytes("qosdt.padding", "Padding")

local e_short = ProtoExpert.new("qosdt.short", "Frame shorter than the header",
	expert.group.MALFORMED, expert.severity.ERROR)
local e_version = ProtoExpert.new("qosdt.bad_version", "Unknown version",
	expert.group.MALFORMED, expert.severity.ERROR)
local e_length = ProtoExpert.new("qosdt.bad_length",
	"Payload length beyond the frame", expert.group.MALFORMED,
	expert.severity.ERROR)
qosdt.experts = { e_short, e_version, e_length }

function qosdt.dissector(tvb, pinfo, tree)
	local len = tvb:len()

	pinfo.cols.protocol = "QOSDT"
	local t = tree:add(qosdt, tvb())
	if len < HDR_LEN then
		t:add_proto_expert_info(e_short)
		pinfo.cols.info = "malformed (short)"
		return len
	end
	local version = tvb(0, 1):uint()
	local flags = tvb(1, 1):uint()
	local id = tvb(2, 2):uint()
	local result = tvb(4, 1):uint()
	local length = tvb(6, 4):uint()
	local req = tvb(10, 8):uint64()
	local name = SERVICES[id] or "unknown"
	local class = class_of(id)

	local vi = t:add(f.version, tvb(0, 1))
	if version ~= VERSION then
		vi:add_proto_expert_info(e_version)
	end
	local ft = t:add(f.flags, tvb(1, 1))
	ft:add(f.reply, tvb(1, 1))
	ft:add(f.flags_other, tvb(1, 1))
	local st = t:add(f.service, tvb(2, 2))
	st:append_text(" (" .. name .. ")")
	t:add(f.service_name, tvb(2, 2), name):set_generated()
	t:add(f.class, tvb(2, 2), class):set_generated()
	t:add(f.result, tvb(4, 1))
	t:add(f.reserved, tvb(5, 1))
	local li = t:add(f.length, tvb(6, 4))
	t:add(f.request_id, tvb(10, 8))
	t:add(f.timestamp, tvb(18, 8))

	local what = (bit.band(flags, F_REPLY) ~= 0) and "Reply" or "Request"
	local info = string.format("%s %s: service %d %s (%s)", what,
		tostring(req), id, name, class)
	if bit.band(flags, F_REPLY) ~= 0 then
		info = info .. ", " .. (RESULTS[result] or ("result " .. result))
	end
	info = info .. string.format(", %d bytes", length)
	t:append_text(string.format(", %s %s, service %d (%s)", what,
		tostring(req), id, name))

	local avail = len - HDR_LEN
	if length > avail then
		li:add_proto_expert_info(e_length)
		info = info .. " [beyond the frame]"
		if avail > 0 then
			t:add(f.payload, tvb(HDR_LEN, avail))
		end
	else
		if length > 0 then
			t:add(f.payload, tvb(HDR_LEN, length))
		end
		if avail > length then
			t:add(f.padding, tvb(HDR_LEN + length, avail - length))
		end
	end
	if version ~= VERSION then
		info = info .. string.format(" [version %d]", version)
	end
	pinfo.cols.info = info
	return len
end

DissectorTable.get("ethertype"):add(ETHER_TYPE, qosdt)
