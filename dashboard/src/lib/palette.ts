// Distinct line colours for the selected cars (teammates share a team hue,
// so charts use a palette by selection order instead).
const PALETTE = ["#4fc3f7", "#ffb74d", "#ba68c8", "#81c784", "#f06292", "#fff176", "#4db6ac", "#e57373", "#9575cd", "#a1887f"];

export function seriesColour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
