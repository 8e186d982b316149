/**
 * One slice of a segmented stack: the original intensities in grey, each object in its colour
 * (its outline solid, its inside translucent), the specks the metrics dropped in dim red. The
 * hub sends the slice as binary (`analysis.slice`, MessagePack `bin`); the slider asks for
 * another z.
 */
import { useRpc } from "@switchyard/react";
import { schemeTableau10 } from "d3-scale-chromatic";
import { useEffect, useId, useRef, useState } from "react";
import { messageOf, type SliceImage, SPECK } from "./model.js";

/** The colour of object `id` (the same in the table's swatches). */
export function objectColour(id: number): string {
  return schemeTableau10[(id - 1) % schemeTableau10.length]!;
}

function rgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255];
}

const SPECK_RGB: [number, number, number] = [214, 39, 40];

/** The object ids of a slice, one per pixel. */
function idsOf(slice: SliceImage): Uint16Array {
  const ids = new Uint16Array(slice.width * slice.height);
  const view = new DataView(slice.objects.buffer, slice.objects.byteOffset, slice.objects.length);
  for (let i = 0; i < ids.length; i++) ids[i] = view.getUint16(i * 2, true);
  return ids;
}

/** Draws `slice` into `canvas` at one canvas pixel per voxel. */
function draw(canvas: HTMLCanvasElement, slice: SliceImage): void {
  const { width, height, intensity } = slice;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  if (!context) return;
  const image = context.createImageData(width, height);
  const ids = idsOf(slice);
  const colours = new Map<number, [number, number, number]>();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const grey = intensity[i]!;
      let [r, g, b] = [grey, grey, grey];
      const id = ids[i]!;
      if (id !== 0) {
        let colour = id === SPECK ? SPECK_RGB : colours.get(id);
        if (!colour) {
          colour = rgb(objectColour(id));
          colours.set(id, colour);
        }
        const edge =
          x === 0 ||
          y === 0 ||
          x === width - 1 ||
          y === height - 1 ||
          ids[i - 1] !== id ||
          ids[i + 1] !== id ||
          ids[i - width] !== id ||
          ids[i + width] !== id;
        const alpha = id === SPECK ? 0.6 : edge ? 1 : 0.45;
        r = Math.round(r * (1 - alpha) + colour[0] * alpha);
        g = Math.round(g * (1 - alpha) + colour[1] * alpha);
        b = Math.round(b * (1 - alpha) + colour[2] * alpha);
      }
      image.data.set([r, g, b, 255], i * 4);
    }
  }
  context.putImageData(image, 0, 0);
}

export function SliceView({ jobId }: { jobId: string }) {
  const id = useId();
  const canvas = useRef<HTMLCanvasElement>(null);
  const { run, data, error } = useRpc("analysis.slice");
  const slice = data as SliceImage | undefined;
  const [z, setZ] = useState<number | undefined>(undefined);

  useEffect(() => {
    run(z === undefined ? { jobId } : { jobId, z });
  }, [run, jobId, z]);

  useEffect(() => {
    if (canvas.current && slice) draw(canvas.current, slice);
  }, [slice]);

  const shownZ = z ?? slice?.z ?? 0;
  return (
    <figure className="zs-slice">
      <div className="zs-slice__frame">
        <canvas
          ref={canvas}
          role="img"
          aria-label={
            slice
              ? `Slice z ${slice.z} of ${slice.depth} with ${slice.objectIds.length} objects outlined`
              : "Slice loading"
          }
        />
        {!slice && !error ? <span className="zs-slice__loading muted">Loading slice…</span> : null}
      </div>
      {slice ? (
        <div className="zs-slice__controls">
          <label htmlFor={`${id}-z`}>
            Slice z = {shownZ} / {slice.depth - 1}
          </label>
          <input
            id={`${id}-z`}
            type="range"
            min={0}
            max={slice.depth - 1}
            value={shownZ}
            onChange={(event) => setZ(event.target.valueAsNumber)}
          />
        </div>
      ) : null}
      <figcaption className="muted">
        {error
          ? `No picture: ${messageOf(error)}`
          : slice
            ? `${slice.objectIds.length} objects cut by this slice; specks in red`
            : null}
      </figcaption>
    </figure>
  );
}
