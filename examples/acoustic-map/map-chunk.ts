/**
 * The wire form of the map's job chunks. Chunk `i` holds rows `i·rowsPerChunk` onwards as
 * MessagePack binary: 32-bit floats, little-endian, row-major, NaN outside the room. Binary
 * data is standard MessagePack (`bin`), so a Python or Rust client decodes it as well
 * (`numpy.frombuffer(spl, "<f4")`); a JSON client would see the bytes as an object of numbers.
 */

/** One chunk of the map as published on `job:<id>`. */
export interface MapChunk {
  /** The first row of the chunk. */
  row: number;
  /** How many rows it holds. */
  rows: number;
  /** Cells per row. */
  cols: number;
  /** `rows · cols` float32 values, little-endian. */
  spl: Uint8Array;
}

/** Packs rows of levels into a chunk. */
export function encodeChunk(row: number, values: readonly Float32Array[]): MapChunk {
  const cols = values[0]?.length ?? 0;
  const spl = new Uint8Array(values.length * cols * 4);
  const view = new DataView(spl.buffer);
  values.forEach((line, r) => {
    for (let c = 0; c < cols; c++) view.setFloat32((r * cols + c) * 4, line[c] ?? Number.NaN, true);
  });
  return { row, rows: values.length, cols, spl };
}

/**
 * Reads a chunk back into one Float32Array per row. Throws a TypeError when the data is not
 * a map chunk (a client must not trust what it receives).
 */
export function decodeChunk(data: unknown): { row: number; values: Float32Array[] } {
  const chunk = data as Partial<MapChunk> | null;
  const { row, rows, cols, spl } = chunk ?? {};
  if (
    !Number.isSafeInteger(row) ||
    !Number.isSafeInteger(rows) ||
    !Number.isSafeInteger(cols) ||
    !(spl instanceof Uint8Array) ||
    spl.byteLength !== (rows as number) * (cols as number) * 4
  ) {
    throw new TypeError("Not a map chunk: expected {row, rows, cols, spl: bytes}");
  }
  // A decoded Uint8Array may be a view at any offset of a larger buffer: read through a view.
  const view = new DataView(spl.buffer, spl.byteOffset, spl.byteLength);
  const values: Float32Array[] = [];
  for (let r = 0; r < (rows as number); r++) {
    const line = new Float32Array(cols as number);
    for (let c = 0; c < line.length; c++) {
      line[c] = view.getFloat32((r * line.length + c) * 4, true);
    }
    values.push(line);
  }
  return { row: row as number, values };
}
