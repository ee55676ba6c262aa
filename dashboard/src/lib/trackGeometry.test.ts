import { describe, expect, it } from "vitest";
import { boundsOf, cumulativeLengths, pointAtDistance, viewBoxOf } from "./trackGeometry";
import type { Point } from "./trackGeometry";

const square: Point[] = [
  [0, 0],
  [100, 0],
  [100, 100],
  [0, 100],
];

describe("track geometry", () => {
  it("measures a closed polyline", () => {
    expect(cumulativeLengths(square)).toEqual([0, 100, 200, 300, 400]);
  });
  it("places a distance on the centreline, wrapping laps and scaling to the official length", () => {
    const cum = cumulativeLengths(square);
    expect(pointAtDistance(square, cum, 400, 150)).toEqual([100, 50]);
    expect(pointAtDistance(square, cum, 400, 550)).toEqual([100, 50]);
    // official length 800 m: 300 m along is 150 polyline metres
    expect(pointAtDistance(square, cum, 800, 300)).toEqual([100, 50]);
  });
  it("flips y for the SVG view box", () => {
    const b = boundsOf(square)!;
    const vb = viewBoxOf(b, 0);
    expect(vb.y).toBeLessThan(-100);
    expect(vb.w).toBeGreaterThan(100);
  });
});
