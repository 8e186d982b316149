import { describe, expect, it } from "vitest";
import {
  isPersonalChannel,
  isValidChannel,
  isValidEventName,
  isValidId,
  MAX_CHANNEL_LENGTH,
  namespaceOf,
  PERSONAL,
} from "../src/index.js";

const NOT_STRINGS = [undefined, null, 1, true, {}, ["job:1"]];

/** Every character that JavaScript's `\s` or Unicode's Cc category holds, below U+10000. */
function spacesAndControls(): string[] {
  const found: string[] = [];
  for (let point = 0; point < 0x10000; point++) {
    const char = String.fromCharCode(point);
    if (/[\s\p{Cc}]/u.test(char)) found.push(char);
  }
  return found;
}

describe("isValidChannel", () => {
  it("accepts namespace:name, bare names and the hub's personal channels", () => {
    for (const channel of [
      "a",
      "equipment",
      "job:7f3a",
      "settings:physics",
      "a-b_c.D9:x",
      "chat:lobby:general",
      "ns:名前",
      "ns:😀",
      "ns:$x",
      "ns:!\"#%&'()*+,/;<=>?@[\\]^`{|}~",
      "$broadcast",
      "$client:Jq0x",
      "$session:tab-group-9f2c",
      "$user:alice@example.com",
    ]) {
      expect(isValidChannel(channel), channel).toBe(true);
    }
  });

  it(`accepts up to ${MAX_CHANNEL_LENGTH} characters, and no more`, () => {
    expect(MAX_CHANNEL_LENGTH).toBe(256);
    expect(isValidChannel("a".repeat(256))).toBe(true);
    expect(isValidChannel(`ns:${"x".repeat(253)}`)).toBe(true);
    expect(isValidChannel("a".repeat(257))).toBe(false);
    expect(isValidChannel(`ns:${"x".repeat(254)}`)).toBe(false);
  });

  it("refuses an empty name or namespace, and a namespace outside A-Z a-z 0-9 _ . -", () => {
    for (const channel of [
      "",
      ":",
      ":name",
      "ns:",
      "$",
      "$:x",
      "$$x",
      "a$b:x",
      "né:x",
      "a/b",
      "a b",
      "a+b:x",
      "ns :x",
    ]) {
      expect(isValidChannel(channel), channel).toBe(false);
    }
  });

  it("refuses whitespace and control characters anywhere in the name", () => {
    const found = spacesAndControls();
    expect(found).toEqual(expect.arrayContaining(["\t", "\n", " ", "\u0000", "\u007f"]));
    expect(found).toEqual(expect.arrayContaining(["\u0085", "\u00a0", "\u2028", "\u3000"]));
    for (const char of found) {
      const shown = `U+${char.charCodeAt(0).toString(16)}`;
      expect(isValidChannel(`ns:${char}`), shown).toBe(false);
      expect(isValidChannel(`ns:a${char}b`), shown).toBe(false);
      expect(isValidChannel(`ns:ab${char}`), shown).toBe(false);
    }
  });

  it("refuses lone surrogates, which are no characters and no codec carries alike", () => {
    for (const channel of ["ns:\ud800", "ns:a\udfff", "ns:\udc00\ud800", "ns:😀\ud83d"]) {
      expect(isValidChannel(channel), JSON.stringify(channel)).toBe(false);
    }
    expect(isValidChannel("ns:\ud83d\ude00")).toBe(true);
  });

  it("refuses what is not a string", () => {
    for (const value of NOT_STRINGS) expect(isValidChannel(value)).toBe(false);
  });
});

describe("isValidEventName", () => {
  it("accepts 1 to 128 of A-Z a-z 0-9 _ . : -", () => {
    for (const name of ["a", "progress", "job.completed", "a:b", "x_y-z.0", "e".repeat(128)]) {
      expect(isValidEventName(name), name).toBe(true);
    }
  });

  it("refuses anything else", () => {
    for (const name of ["", "e".repeat(129), "a b", "é", "a/b", "a$", "progress\n", "ns:名"]) {
      expect(isValidEventName(name), name).toBe(false);
    }
    for (const value of NOT_STRINGS) expect(isValidEventName(value)).toBe(false);
  });
});

describe("isValidId", () => {
  it("accepts 1 to 128 of A-Z a-z 0-9 _ . @ | : -, as users' and sessions' ids are", () => {
    for (const id of [
      "a",
      "alice@example.com",
      "auth0|65f2",
      "tab-group-9f2c",
      "google-oauth2:1234",
      "Qm9_xY-3aB", // base64url, as the hub issues session ids
      "i".repeat(128),
    ]) {
      expect(isValidId(id), id).toBe(true);
    }
  });

  it("refuses anything else", () => {
    for (const id of ["", "i".repeat(129), "a b", "a/b", "a+b", "a=", "é", "a\n", "$user"]) {
      expect(isValidId(id), id).toBe(false);
    }
    for (const value of NOT_STRINGS) expect(isValidId(value)).toBe(false);
  });
});

describe("namespaceOf", () => {
  it("is the part before the first ':', or '' for a bare name", () => {
    expect(namespaceOf("job:7f3a")).toBe("job");
    expect(namespaceOf("chat:lobby:general")).toBe("chat");
    expect(namespaceOf("equipment")).toBe("");
  });

  it("gives personal channels their own namespace, bare ones included", () => {
    expect(namespaceOf(`${PERSONAL.client}Jq0x`)).toBe("$client");
    expect(namespaceOf(`${PERSONAL.session}s-1`)).toBe("$session");
    expect(namespaceOf(`${PERSONAL.user}alice`)).toBe("$user");
    expect(namespaceOf(PERSONAL.broadcast)).toBe("$broadcast");
  });
});

describe("isPersonalChannel", () => {
  it("is true for the names starting with '$', and only those", () => {
    for (const channel of Object.values(PERSONAL)) expect(isPersonalChannel(channel)).toBe(true);
    expect(isPersonalChannel("$anything")).toBe(true);
    for (const channel of ["job:$1", "a$", "equipment", ""]) {
      expect(isPersonalChannel(channel), channel).toBe(false);
    }
  });
});
