/**
 * The room: a simple polygon in metres (the floor plan at listener height). Points outside it
 * are not part of the map.
 */

/** A point or a position in metres. */
export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned box around a polygon. */
export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/**
 * True when `point` lies inside `polygon` (even-odd rule, by ray casting): a ray from the
 * point towards +x crosses the polygon's edges an odd number of times. Points exactly on an
 * edge may fall either way.
 */
export function pointInPolygon(point: Point, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i] as Point;
    const b = polygon[j] as Point;
    // The edge straddles the ray's horizontal line, and crosses it right of the point.
    if (a.y > point.y !== b.y > point.y) {
      const crossX = a.x + ((point.y - a.y) * (b.x - a.x)) / (b.y - a.y);
      if (point.x < crossX) inside = !inside;
    }
  }
  return inside;
}

/** The bounding box of a polygon. */
export function boundsOf(polygon: readonly Point[]): Bounds {
  const xs = polygon.map((p) => p.x);
  const ys = polygon.map((p) => p.y);
  return {
    minX: Math.min(...xs),
    minY: Math.min(...ys),
    maxX: Math.max(...xs),
    maxY: Math.max(...ys),
  };
}

/** The signed area (shoelace formula): positive when the vertices run counter-clockwise. */
export function signedArea(polygon: readonly Point[]): number {
  let twice = 0;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[i] as Point;
    const b = polygon[j] as Point;
    twice += (b.x - a.x) * (b.y + a.y);
  }
  return twice / 2;
}

/** True when two non-adjacent edges of the polygon cross (it is not a simple polygon). */
export function selfIntersects(polygon: readonly Point[]): boolean {
  const n = polygon.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue; // adjacent edges share a vertex
      const a = polygon[i] as Point;
      const b = polygon[(i + 1) % n] as Point;
      const c = polygon[j] as Point;
      const d = polygon[(j + 1) % n] as Point;
      if (segmentsCross(a, b, c, d)) return true;
    }
  }
  return false;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return d1 * d2 < 0 && d3 * d4 < 0;
}

/**
 * The point inside the polygon nearest to `point`: `point` itself when it is inside, else the
 * nearest point of the boundary moved `inset` metres inwards (along the edge's inner normal).
 * Null when that point is still outside (a needle-thin corner).
 */
export function nearestInside(point: Point, polygon: readonly Point[], inset = 0.1): Point | null {
  if (pointInPolygon(point, polygon)) return point;
  const inward = signedArea(polygon) > 0 ? 1 : -1;
  let best: Point | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i] as Point;
    const b = polygon[(i + 1) % polygon.length] as Point;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy);
    if (length === 0) continue;
    const t = Math.min(1, Math.max(0, ((point.x - a.x) * dx + (point.y - a.y) * dy) / length ** 2));
    const foot = { x: a.x + t * dx, y: a.y + t * dy };
    const distance = Math.hypot(point.x - foot.x, point.y - foot.y);
    if (distance < bestDistance) {
      bestDistance = distance;
      // Left normal of a counter-clockwise edge points inwards.
      best = {
        x: foot.x - (inward * dy * inset) / length,
        y: foot.y + (inward * dx * inset) / length,
      };
    }
  }
  return best && pointInPolygon(best, polygon) ? best : null;
}
