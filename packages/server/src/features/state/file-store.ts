import { type FSWatcher, watch } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { Logger } from "../../core/options.js";
import { valuesOf } from "./document.js";
import { DEFAULT_FILE_DEBOUNCE, DEFAULT_FILE_MAX_DELAY } from "./options.js";
import type { DocumentPolicy } from "./policy.js";
import type { HubState } from "./state.js";

/** `updatedBy` of the keys a file load or an external edit writes. */
export const FILE_WRITER = "file";

/**
 * Keeps one document in a JSON or YAML file (a flat object of keys to values):
 * - loaded at start; a file that fails to load or validate is reported and the document keeps
 *   what it had — and the file is not written over until a valid edit or an explicit reload;
 * - written after changes with a debounce (200 ms) and a longest wait (2 s), atomically
 *   (a temporary file renamed over it);
 * - watched: an edit from outside (its directory is watched, so editors that save by renaming
 *   are seen) is validated, then reloads the document for every client ("file modified").
 */
export class StateFile {
  private readonly path: string;
  private readonly format: "json" | "yaml";
  private readonly debounce: number;
  private readonly maxDelay: number;
  /** The text last read or written: the watcher ignores the file while it holds this. */
  private lastText: string | undefined;
  /** False after a failed load: the file holds something the document must not overwrite. */
  private trusted = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private firstChange: number | undefined;
  private watcher: FSWatcher | undefined;
  private stopListening: (() => void) | undefined;
  /** File operations run one after another. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly policy: DocumentPolicy,
    private readonly state: HubState,
    private readonly logger: Logger,
  ) {
    const file = policy.file;
    if (file === undefined) throw new Error(`State document '${name}' has no file`);
    this.path = file.path;
    this.format = file.format ?? (/\.ya?ml$/i.test(file.path) ? "yaml" : "json");
    this.debounce = file.debounce ?? DEFAULT_FILE_DEBOUNCE;
    this.maxDelay = file.maxDelay ?? DEFAULT_FILE_MAX_DELAY;
  }

  /** Loads the file (absent: the document starts as it is) and starts watching it. */
  async start(): Promise<void> {
    this.stopListening = this.state.events.on(this.name, "change", () => this.schedule());
    const file = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), (_event, changed) => {
        if (changed === null || changed.toString() === file) void this.run(() => this.check());
      });
      this.watcher.on("error", (error) => this.report(error, "could not be watched"));
    } catch (error) {
      // A missing directory: the document works, its file does not (reported, never thrown).
      this.report(error, "could not be watched");
    }
    await this.run(() => this.check(true));
  }

  /** After an explicit reload: the document is the truth again, and goes to the file. */
  trust(): void {
    this.trusted = true;
    this.schedule();
  }

  /** Writes a pending change now and stops watching. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopListening?.();
    this.watcher?.close();
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.run(() => this.write());
    }
    await this.queue;
  }

  private run(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  /** Reads the file; when someone else changed it, validates it and reloads the document. */
  private async check(first = false): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        // No file yet (or a rename in progress): the next write creates it.
        if (first) this.trusted = true;
        return;
      }
      this.report(error, "could not be read");
      return;
    }
    if (text === this.lastText) return;
    this.lastText = text;
    try {
      const values = this.parse(text);
      const checked = await this.state.checkValues(this.policy, values);
      await this.state.reload(this.name, Object.fromEntries(checked), {
        reason: first ? "file loaded" : "file modified",
        by: FILE_WRITER,
        waitForLoad: false,
      });
      this.trusted = true;
    } catch (error) {
      this.trusted = false;
      this.report(error, first ? "failed to load" : "was edited but is not valid");
    }
  }

  private parse(text: string): Record<string, unknown> {
    const values: unknown = this.format === "yaml" ? parseYaml(text) : JSON.parse(text);
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new Error("the file must hold an object of keys to values");
    }
    return values as Record<string, unknown>;
  }

  private schedule(): void {
    if (!this.trusted || this.closed) return;
    const now = Date.now();
    this.firstChange ??= now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounce, this.firstChange + this.maxDelay - now));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run(() => this.write());
    }, wait);
  }

  private async write(): Promise<void> {
    this.firstChange = undefined;
    if (!this.trusted) return;
    try {
      const values = valuesOf(await this.state.stored(this.name));
      const text =
        this.format === "yaml" ? stringifyYaml(values) : `${JSON.stringify(values, null, 2)}\n`;
      if (text === this.lastText) return;
      this.lastText = text;
      const temporary = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.tmp`);
      await writeFile(temporary, text, "utf8");
      await rename(temporary, this.path);
    } catch (error) {
      this.report(error, "could not be written");
    }
  }

  private report(cause: unknown, what: string): void {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new Error(`State file of '${this.name}' ${what}: ${reason}`, { cause });
    this.state.counters.fileErrors += 1;
    this.logger.error({ err: error, document: this.name, path: this.path }, error.message);
    this.state.events.emit(this.name, "error", error);
  }
}
