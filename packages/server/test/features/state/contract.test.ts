import WebSocket from "ws";
import { stateContract } from "../../../src/testing/index.js";
import { memoryNodes } from "./nodes.js";

stateContract("memory, three nodes on one cluster", memoryNodes, { WebSocket });
