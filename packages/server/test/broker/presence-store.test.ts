import { MemoryPresenceStore } from "../../src/broker/memory-presence.js";
import { presenceContract } from "../../src/testing/index.js";

presenceContract("memory", () => new MemoryPresenceStore());
