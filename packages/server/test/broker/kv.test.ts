import { MemoryKeyValueStore } from "../../src/broker/kv.js";
import { keyValueContract } from "../../src/testing/index.js";

keyValueContract("memory", () => new MemoryKeyValueStore());
