/**
 * The room plan: the SPL map (one canvas pixel per grid cell), the room's outline and a metre
 * grid (a second canvas), and the loudspeakers as buttons one drags with the pointer or moves
 * with the arrow keys. Hovering asks the hub for the level under the pointer.
 */
import { useRpc } from "@switchyard/react";
import { type KeyboardEvent, type PointerEvent, useEffect, useMemo, useRef, useState } from "react";
import { boundsOf, type Point } from "../../acoustic-map/room.js";
import type { Source } from "../../acoustic-map/spl.js";
import { type Domain, type MapGrid, paint } from "./heatmap.js";

/** Empty margin around the room, in CSS pixels. */
const PAD = 24;
/** The tallest the plan gets (the page fits a laptop screen). */
const MAX_HEIGHT = 470;
/** Least milliseconds between two hover previews asked of the hub. */
const PREVIEW_INTERVAL = 80;

export interface PlanProps {
  project: string;
  room: readonly Point[];
  /** The sources where they are shown now (dragged ones where they are being dragged). */
  sources: readonly Source[];
  /** Sources someone else is dragging: id → their name. */
  draggedBy: ReadonlyMap<string, string>;
  /** The optimiser's current best layout, drawn as outlines. */
  best: readonly Source[] | null;
  map: MapGrid | null;
  /** The map's job. */
  mapJobId: string | null;
  /** Grows with every repaint of the map's values. */
  mapVersion: number;
  domain: Domain | null;
  onDrag(id: string, x: number, y: number): void;
  onDrop(id: string, x: number, y: number): void;
}

interface View {
  scale: number;
  width: number;
  height: number;
  toScreen(point: Point): { left: number; top: number };
  toRoom(left: number, top: number): Point;
}

function viewOf(room: readonly Point[], width: number): View {
  const { minX, minY, maxX, maxY } = boundsOf(room);
  const scale = Math.max(
    1,
    Math.min((width - 2 * PAD) / (maxX - minX), (MAX_HEIGHT - 2 * PAD) / (maxY - minY)),
  );
  // The room centred across the width.
  const left0 = (width - (maxX - minX) * scale) / 2;
  return {
    scale,
    width,
    height: Math.round((maxY - minY) * scale + 2 * PAD),
    toScreen: ({ x, y }) => ({ left: left0 + (x - minX) * scale, top: PAD + (maxY - y) * scale }),
    toRoom: (left, top) => ({ x: minX + (left - left0) / scale, y: maxY - (top - PAD) / scale }),
  };
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The outline, the metre grid and the scale bar. */
function drawPlan(canvas: HTMLCanvasElement, view: View, room: readonly Point[]): void {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(view.width * ratio);
  canvas.height = Math.round(view.height * ratio);
  const context = canvas.getContext("2d");
  if (!context) return;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, view.width, view.height);
  const { minX, minY, maxX, maxY } = boundsOf(room);
  const outline = new Path2D();
  room.forEach((point, index) => {
    const { left, top } = view.toScreen(point);
    if (index === 0) outline.moveTo(left, top);
    else outline.lineTo(left, top);
  });
  outline.closePath();
  // Metre lines inside the room.
  context.save();
  context.clip(outline);
  context.strokeStyle = "rgb(255 255 255 / 28%)";
  context.lineWidth = 1;
  for (let x = Math.ceil(minX); x <= maxX; x++) {
    const { left } = view.toScreen({ x, y: 0 });
    context.beginPath();
    context.moveTo(left + 0.5, 0);
    context.lineTo(left + 0.5, view.height);
    context.stroke();
  }
  for (let y = Math.ceil(minY); y <= maxY; y++) {
    const { top } = view.toScreen({ x: 0, y });
    context.beginPath();
    context.moveTo(0, top + 0.5);
    context.lineTo(view.width, top + 0.5);
    context.stroke();
  }
  context.restore();
  context.strokeStyle = "#1d2330";
  context.lineWidth = 3;
  context.lineJoin = "round";
  context.stroke(outline);
  // A 5 m scale bar under the room.
  const start = view.toScreen({ x: minX, y: minY });
  const length = 5 * view.scale;
  context.fillStyle = "#5d6675";
  context.fillRect(start.left, start.top + 12, length, 3);
  context.font = "12px system-ui, sans-serif";
  context.fillText("5 m", start.left + length + 6, start.top + 17);
}

export function Plan(props: PlanProps) {
  const { room, map, mapVersion, domain } = props;
  const frame = useRef<HTMLDivElement>(null);
  const heat = useRef<HTMLCanvasElement>(null);
  const plan = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(800);
  const view = useMemo(() => viewOf(room, width), [room, width]);
  const [drag, setDrag] = useState<{ id: string; x: number; y: number } | null>(null);
  // The drag as of the last pointer event: a pointerup can come before React rendered the last
  // move, and the drop must be where the pointer was, not where the last render had it.
  const latest = useRef<{ id: string; x: number; y: number } | null>(null);
  const [hover, setHover] = useState<{ left: number; top: number; point: Point } | null>(null);
  const preview = useRpc("project.preview");
  const lastPreview = useRef(0);

  useEffect(() => {
    const element = frame.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.round(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (plan.current) drawPlan(plan.current, view, room);
  }, [view, room]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: mapVersion says the values changed.
  useEffect(() => {
    const canvas = heat.current;
    if (!canvas) return;
    if (map) paint(canvas, map, domain);
    else canvas.getContext("2d")?.clearRect(0, 0, canvas.width, canvas.height);
  }, [map, mapVersion, domain]);

  const heatBox = map
    ? (() => {
        const { x0, y0, resolution, cols, rows } = map.grid;
        const corner = view.toScreen({ x: x0, y: y0 + rows * resolution });
        return {
          left: corner.left,
          top: corner.top,
          width: cols * resolution * view.scale,
          height: rows * resolution * view.scale,
        };
      })()
    : null;

  const local = (event: PointerEvent<HTMLElement>) => {
    const box = frame.current?.getBoundingClientRect();
    return box ? view.toRoom(event.clientX - box.left, event.clientY - box.top) : null;
  };

  const onHover = (event: PointerEvent<HTMLDivElement>) => {
    if (drag) return;
    const point = local(event);
    const box = frame.current?.getBoundingClientRect();
    if (!point || !box) return;
    setHover({ left: event.clientX - box.left, top: event.clientY - box.top, point });
    const now = performance.now();
    if (now - lastPreview.current < PREVIEW_INTERVAL) return;
    lastPreview.current = now;
    preview.run({ project: props.project, x: round2(point.x), y: round2(point.y) });
  };

  const previewData = preview.data as { point: [number, number]; splValue: number | null } | null;
  const mapValue = hover && map ? map.at(hover.point.x, hover.point.y) : null;

  const startDrag = (event: PointerEvent<HTMLButtonElement>, source: Source) => {
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    setHover(null);
    latest.current = { id: source.id, x: source.x, y: source.y };
    setDrag(latest.current);
  };
  const moveDrag = (event: PointerEvent<HTMLButtonElement>) => {
    const current = latest.current;
    if (!current) return;
    const point = local(event);
    if (!point) return;
    const next = { id: current.id, x: round2(point.x), y: round2(point.y) };
    latest.current = next;
    setDrag(next);
    props.onDrag(next.id, next.x, next.y);
  };
  const endDrag = () => {
    const current = latest.current;
    if (!current) return;
    latest.current = null;
    props.onDrop(current.id, current.x, current.y);
    setDrag(null);
  };
  const nudge = (event: KeyboardEvent<HTMLButtonElement>, source: Source) => {
    const step = event.shiftKey ? 1 : 0.1;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    props.onDrop(source.id, round2(source.x + move[0]), round2(source.y + move[1]));
  };

  return (
    <div
      className="plan"
      ref={frame}
      style={{ height: view.height }}
      onPointerMove={onHover}
      onPointerLeave={() => setHover(null)}
    >
      <canvas
        ref={heat}
        className="plan__heat"
        aria-label="SPL heat map"
        data-job={props.mapJobId ?? undefined}
        data-job-rows={map?.rowsReceived ?? 0}
        style={
          heatBox
            ? {
                left: heatBox.left,
                top: heatBox.top,
                width: heatBox.width,
                height: heatBox.height,
              }
            : { display: "none" }
        }
      />
      <canvas
        ref={plan}
        className="plan__outline"
        aria-label="Room outline"
        style={{ width: view.width, height: view.height }}
      />
      {props.best?.map((source) => {
        const { left, top } = view.toScreen(source);
        return (
          <span
            key={source.id}
            className="plan__best"
            style={{ left, top }}
            title={`Best layout: ${source.id}`}
            aria-hidden="true"
          />
        );
      })}
      {props.sources.map((source) => {
        const shown = drag?.id === source.id ? { ...source, x: drag.x, y: drag.y } : source;
        const { left, top } = view.toScreen(shown);
        const by = props.draggedBy.get(source.id);
        return (
          <button
            type="button"
            key={source.id}
            className={`plan__source${by ? " plan__source--remote" : ""}`}
            style={{ left, top, "--angle": `${-shown.angle}deg` } as React.CSSProperties}
            data-x={shown.x}
            data-y={shown.y}
            aria-label={`${source.id} at ${shown.x.toFixed(2)}, ${shown.y.toFixed(2)} m`}
            title={by ? `${source.id} — ${by} is moving it` : `${source.id}: drag to move`}
            onPointerDown={(event) => startDrag(event, shown)}
            onPointerMove={moveDrag}
            onPointerUp={endDrag}
            onPointerCancel={endDrag}
            onKeyDown={(event) => nudge(event, shown)}
          >
            {shown.pattern !== "omni" && <span className="plan__axis" />}
            <span className="plan__number" aria-hidden="true">
              {props.sources.indexOf(source) + 1}
            </span>
            {by && (
              <span className="plan__by" aria-hidden="true">
                {by}
              </span>
            )}
          </button>
        );
      })}
      {hover && (
        <output
          className="plan__tip"
          aria-label="Level under the pointer"
          style={{ left: hover.left + 14, top: hover.top + 14 }}
        >
          <strong>
            {previewData?.splValue == null
              ? previewData
                ? "outside the room"
                : "…"
              : `${previewData.splValue.toFixed(1)} dB`}
          </strong>
          <span>
            {hover.point.x.toFixed(2)}, {hover.point.y.toFixed(2)} m
            {mapValue !== null && ` · map ${mapValue.toFixed(1)} dB`}
          </span>
        </output>
      )}
    </div>
  );
}
