/**
 * One sample of every frame of docs/protocol.md, as a program builds it: the codec contract
 * round-trips them, the parser tests check the client frames.
 */
import type { ClientFrame, ConnectResult, ServerFrame } from "../src/index.js";

/** The connect result of docs/protocol.md, "connect". */
export const CONNECT_RESULT: ConnectResult = {
  clientId: "Jq0xA1",
  sessionId: "tab-group-9f2c",
  userId: "alice",
  protocol: "switchyard.v1",
  heartbeat: { interval: 25_000, timeout: 10_000 },
  limits: { maxMessageBytes: 65_536, maxSubscriptions: 1000, rate: 100, burst: 200 },
  expiresAt: 1_764_000_000_000,
  channels: {
    "$client:Jq0xA1": {},
    "$session:tab-group-9f2c": { epoch: "k3x9", offset: 12, recovered: true },
    "$user:alice": { epoch: "p0", offset: 3 },
    $broadcast: { epoch: "zz", offset: 41 },
  },
};

/** Every client frame, with every optional field, and the short forms. */
export const CLIENT_FRAMES: Record<string, ClientFrame> = {
  connect: {
    type: "connect",
    id: 1,
    token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl",
    sessionId: "tab-group-9f2c",
    since: { "$session:tab-group-9f2c": { epoch: "k3x9", offset: 12 } },
  },
  "connect (bare)": { type: "connect", id: 0 },
  subscribe: {
    type: "subscribe",
    id: 5,
    channel: "job:42",
    since: { epoch: "7f3a9c", offset: 20 },
    events: ["progress", "completed"],
  },
  "subscribe (bare)": { type: "subscribe", id: 2, channel: "equipment" },
  unsubscribe: { type: "unsubscribe", id: 6, channel: "job:42" },
  publish: {
    type: "publish",
    id: 3,
    channel: "chat:lobby",
    event: "message",
    data: { text: "hi" },
    idempotencyKey: "m-81",
  },
  "publish (no data)": { type: "publish", id: 7, channel: "chat:lobby", event: "typing" },
  rpc: { type: "rpc", id: 4, method: "sim.start", data: { grid: 64 } },
  "rpc (no data)": { type: "rpc", id: 8, method: "job.list" },
  refresh: { type: "refresh", id: 9, token: "eyJ.refreshed.token" },
  ping: { type: "ping", id: 10 },
  pong: { type: "pong" },
};

/** Every server frame: the replies to each request, errors, events and the heartbeat. */
export const SERVER_FRAMES: Record<string, ServerFrame> = {
  "reply to connect": { type: "reply", id: 1, result: CONNECT_RESULT },
  "reply to subscribe": {
    type: "reply",
    id: 5,
    result: {
      channel: "job:42",
      epoch: "7f3a9c",
      offset: 20,
      recovered: true,
      conflated: true,
      snapshot: { status: "running", percent: 45.5, step: null },
    },
  },
  "reply to publish": {
    type: "reply",
    id: 3,
    result: { offset: 42, epoch: "q1", duplicate: false },
  },
  "reply to rpc": { type: "reply", id: 4, result: { jobId: "j-19" } },
  "reply to rpc (null)": { type: "reply", id: 8, result: null },
  "reply to refresh": { type: "reply", id: 9, result: { expiresAt: 1_764_000_060_000 } },
  "reply to ping": { type: "reply", id: 10, result: {} },
  "reply with an error": {
    type: "reply",
    id: 3,
    error: {
      code: "invalid_data",
      message:
        "data.a[2] is a BigInt; event data must be JSON values (binary data as a Uint8Array)",
      details: { field: "data", path: "data.a[2]", type: "BigInt" },
    },
  },
  "reply with an error (no details)": {
    type: "reply",
    id: 2,
    error: { code: "forbidden", message: "Not allowed to subscribe to 'admin:x'" },
  },
  event: {
    type: "event",
    channel: "job:42",
    event: "progress",
    data: { percent: 45.5, step: "segment" },
    offset: 7,
    timestamp: 1_764_000_000_000,
  },
  "event (no history)": {
    type: "event",
    channel: "$client:Jq0xA1",
    event: "notice",
    data: null,
    timestamp: 1_764_000_000_123,
  },
  "server ping": { type: "ping" },
  error: {
    type: "error",
    error: { code: "malformed_frame", message: "The message is not valid JSON" },
  },
};

/** The start-up batch of docs/protocol.md, "Requests and replies". */
export const STARTUP_BATCH: ClientFrame[] = [
  { type: "connect", id: 1, token: "eyJ…" },
  { type: "subscribe", id: 2, channel: "job:42" },
  { type: "rpc", id: 3, method: "sim.start" },
];
