/**
 * The verification snippets of docs/webhooks.md, run as written: the Python one by python3,
 * the dependency-free Node one by node, each against signatures the hub makes.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { signWebhook } from "../../../src/index.js";

const DOC = new URL("../../../../../docs/webhooks.md", import.meta.url);
const SECRET = "whsec_doc";
const BODY =
  '{"events":[{"id":"1","type":"channel_occupied","time":1,"node":"n","data":{"channel":"a"}}]}';

/** The first fenced block of `language` in the doc. */
async function snippet(language: string): Promise<string> {
  const text = await readFile(DOC, "utf8");
  const match = text.match(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``));
  if (!match?.[1]) throw new Error(`no ${language} block in docs/webhooks.md`);
  return match[1];
}

function run(command: string, args: string[], input: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${stderr}`));
      else resolve(stdout.trim());
    });
    child.stdin?.end(JSON.stringify(input));
  });
}

/** Cases: [body, header, secrets, expected]. */
function cases(): [string, string, string[], boolean][] {
  const now = Math.floor(Date.now() / 1000);
  return [
    [BODY, signWebhook(BODY, SECRET), [SECRET], true],
    [BODY, signWebhook(BODY, ["whsec_new", SECRET]), ["whsec_other", SECRET], true],
    [BODY.replace('"a"', '"b"'), signWebhook(BODY, SECRET), [SECRET], false],
    [BODY, signWebhook(BODY, SECRET, now - 600), [SECRET], false],
    [BODY, signWebhook(BODY, "whsec_wrong"), [SECRET], false],
    [BODY, "", [SECRET], false],
  ];
}

describe("docs/webhooks.md verification snippets", () => {
  it("the Python snippet accepts the hub's signatures and rejects tampered, stale and foreign ones", async () => {
    const code = `${await snippet("python")}
import json, sys
for body, header, secrets in json.load(sys.stdin):
    print(json.dumps(verify(body.encode(), header, secrets)))
`;
    const all = cases();
    const out = await run(
      "python3",
      ["-c", code],
      all.map(([b, h, s]) => [b, h, s]),
    );
    expect(out.split("\n").map((line) => JSON.parse(line))).toEqual(all.map((c) => c[3]));
  });

  it("the Node snippet does the same", async () => {
    const code = `${(await snippet("js")).replace("export function", "function")}
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  for (const [body, header, secrets] of JSON.parse(input)) console.log(verify(Buffer.from(body), header, secrets));
});
`;
    const all = cases();
    const out = await run(
      process.execPath,
      ["--input-type=module", "-e", code],
      all.map(([b, h, s]) => [b, h, s]),
    );
    expect(out.split("\n").map((line) => JSON.parse(line))).toEqual(all.map((c) => c[3]));
  });
});
