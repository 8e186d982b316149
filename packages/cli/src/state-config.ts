import type { StateDocumentOptions, StateOptions } from "@switchyard/server";
import { z } from "zod";

/**
 * The `state` section of a config file: the synced-state documents the standalone server
 * declares (docs/state.md), with keys typed by a small JSON vocabulary that becomes zod schemas.
 */

const positiveInt = z.number().int().positive();
const accessRule = z.enum(["anyone", "authenticated", "token", "nobody"]);
const json = z.json();

/** A key's type: a word, or an object with bounds and a default. */
const keySchema = z.union([
  z.enum(["number", "integer", "string", "boolean", "json"]),
  z.discriminatedUnion("type", [
    z.strictObject({
      type: z.enum(["number", "integer"]),
      minimum: z.number().optional(),
      maximum: z.number().optional(),
      default: json.optional(),
    }),
    z.strictObject({
      type: z.literal("string"),
      maxLength: positiveInt.optional(),
      default: json.optional(),
    }),
    z.strictObject({ type: z.enum(["boolean", "json"]), default: json.optional() }),
    z.strictObject({
      type: z.literal("enum"),
      values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1),
      default: json.optional(),
    }),
  ]),
]);

type KeyConfig = z.infer<typeof keySchema>;

const documentSchema = z
  .strictObject({
    keys: z.record(z.string(), keySchema).optional(),
    defaults: z.record(z.string(), json).optional(),
    allowUnknownKeys: z.boolean().optional(),
    presets: z.record(z.string(), z.record(z.string(), json)).optional(),
    read: accessRule.optional(),
    write: z.record(z.string(), accessRule).optional(),
    file: z
      .union([
        z.string().min(1),
        z.strictObject({
          path: z.string().min(1),
          format: z.enum(["json", "yaml"]).optional(),
          debounce: z.number().int().min(0).optional(),
          maxDelay: positiveInt.optional(),
        }),
      ])
      .optional(),
    batch: z.strictObject({ window: positiveInt, max: positiveInt }).partial().optional(),
    maxValueBytes: positiveInt.optional(),
    maxDocumentBytes: positiveInt.optional(),
    undoDepth: positiveInt.optional(),
  })
  .superRefine((document, context) => {
    for (const [key, spec] of Object.entries(document.keys ?? {})) {
      const value = typeof spec === "string" ? undefined : spec.default;
      const fallback = document.defaults?.[key] ?? value;
      if (fallback !== undefined && !schemaOf(spec).safeParse(fallback).success) {
        const path = document.defaults?.[key] === undefined ? ["keys", key] : ["defaults"];
        context.addIssue({
          code: "custom",
          path: [...path, ...(path[0] === "keys" ? ["default"] : [key])],
          message: "the default does not match the key's type",
        });
      }
    }
  });

/** The schema of the config file's `state` section. */
export const stateConfigSchema = z.strictObject({
  documents: z.record(z.string(), documentSchema),
});

/** The `state` section of a config file. */
export type StateConfig = z.infer<typeof stateConfigSchema>;

/** The zod schema (a Standard Schema) of a key's type. */
function schemaOf(spec: KeyConfig): z.ZodType {
  const config = typeof spec === "string" ? { type: spec } : spec;
  switch (config.type) {
    case "number":
    case "integer": {
      let schema = config.type === "integer" ? z.number().int() : z.number();
      if ("minimum" in config && config.minimum !== undefined) schema = schema.min(config.minimum);
      if ("maximum" in config && config.maximum !== undefined) schema = schema.max(config.maximum);
      return schema;
    }
    case "string": {
      const schema = z.string();
      return "maxLength" in config && config.maxLength !== undefined
        ? schema.max(config.maxLength)
        : schema;
    }
    case "boolean":
      return z.boolean();
    case "enum":
      return z.literal("values" in config ? config.values : []);
    default:
      return json;
  }
}

/**
 * The hub's `state` option from the config's (`loadConfigFile` has made relative file paths
 * relative to the config file's directory).
 */
export function stateOptionsOf(config: StateConfig): StateOptions {
  const documents: Record<string, StateDocumentOptions> = {};
  for (const [name, document] of Object.entries(config.documents)) {
    const { keys, defaults, file, ...rest } = document;
    const options: StateDocumentOptions = { ...rest };
    if (keys !== undefined || defaults !== undefined) {
      const declared: NonNullable<StateDocumentOptions["keys"]> = {};
      for (const [key, spec] of Object.entries(keys ?? {})) {
        const value = defaults?.[key] ?? (typeof spec === "string" ? undefined : spec.default);
        declared[key] =
          value === undefined
            ? { schema: schemaOf(spec) }
            : { schema: schemaOf(spec), default: value };
      }
      for (const [key, value] of Object.entries(defaults ?? {})) {
        declared[key] ??= { default: value };
      }
      options.keys = declared;
    }
    if (file !== undefined) options.file = typeof file === "string" ? { path: file } : file;
    documents[name] = options;
  }
  return { documents };
}
