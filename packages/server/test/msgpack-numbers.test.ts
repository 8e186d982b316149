/**
 * Numbers on a MessagePack connection travel as the protocol says: integers as MessagePack
 * integers (the event's timestamp included), other numbers as float 64. Checked on the bytes
 * a subscriber receives.
 */
import { describe, expect, it } from "vitest";
import { connected, OPEN_POLICY, startHub } from "./helpers/fixtures.js";

/** The bytes that follow the MessagePack string `key` in `message`. */
function valueAfter(message: Buffer, key: string, length: number): Buffer {
  const header = Buffer.concat([Buffer.of(0xa0 | key.length), Buffer.from(key)]);
  const at = message.indexOf(header);
  if (at < 0) throw new Error(`no '${key}' in ${message.toString("hex")}`);
  return message.subarray(at + header.length, at + header.length + length);
}

describe("numbers in MessagePack event frames", () => {
  it("encodes the timestamp and integer data as integers, fractions as float 64", async () => {
    const { hub, url } = await startHub(OPEN_POLICY);
    const subscriber = await connected(url, {}, { codec: "msgpack" });
    await subscriber.request({ type: "subscribe", channel: "lab:1" });
    const messages: Buffer[] = [];
    subscriber.ws.on("message", (data: Buffer) => messages.push(data));
    await hub.publish("lab:1", "reading", { big: 2 ** 40, small: 7, neg: -300, frac: 0.25 });
    const event = await subscriber.next((f) => f.type === "event");

    const [message] = messages;
    if (message === undefined) throw new Error("no message");
    const timestamp = valueAfter(message, "timestamp", 9);
    expect(timestamp[0]).toBe(0xd3); // int 64
    expect(Number(timestamp.readBigInt64BE(1))).toBe(event.timestamp);
    expect(valueAfter(message, "big", 9).toString("hex")).toBe("d30000010000000000");
    expect(valueAfter(message, "small", 1).toString("hex")).toBe("07");
    expect(valueAfter(message, "neg", 3).toString("hex")).toBe("d1fed4");
    expect(valueAfter(message, "frac", 9).toString("hex")).toBe("cb3fd0000000000000");
    expect(valueAfter(message, "offset", 1).toString("hex")).toBe("01");
  });
});
