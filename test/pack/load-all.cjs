// Every entry point of the installed packages, from CommonJS (Node 20.19+ require()s ES
// modules) and as ES modules: prints, per entry point, the file it resolves to and the number
// of names `require()` and `import()` give. The testing helpers need Vitest and are
// left out.
const ENTRY_POINTS = [
  "@switchyard/protocol",
  "@switchyard/server",
  "@switchyard/server/broker",
  "@switchyard/server/ws",
  "@switchyard/client",
  "@switchyard/client/msgpack",
  "@switchyard/react",
  "@switchyard/react/components",
  "@switchyard/react/query",
  "@switchyard/redis",
  "@switchyard/cli",
];

async function main() {
  const loaded = {};
  for (const name of ENTRY_POINTS) {
    const required = require(name);
    const imported = await import(name);
    loaded[name] = {
      file: require.resolve(name),
      required: Object.keys(required).length,
      imported: Object.keys(imported).length,
    };
  }
  console.log(JSON.stringify(loaded));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
