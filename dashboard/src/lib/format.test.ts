import { describe, expect, it } from "vitest";
import { compoundLetter, formatClock, formatGap, formatInterval, formatLapTime } from "./format";

describe("formatLapTime", () => {
  it("shows minutes, seconds and milliseconds", () => {
    expect(formatLapTime(83456)).toBe("1:23.456");
    expect(formatLapTime(60000)).toBe("1:00.000");
    expect(formatLapTime(59123)).toBe("59.123");
    expect(formatLapTime(5007)).toBe("5.007");
  });
  it("shows a dash for missing values", () => {
    expect(formatLapTime(null)).toBe("—");
    expect(formatLapTime(undefined)).toBe("—");
    expect(formatLapTime(Number.NaN)).toBe("—");
  });
});

describe("formatGap", () => {
  it("names the leader", () => expect(formatGap(null, 0, 1)).toBe("Leader"));
  it("shows seconds behind", () => {
    expect(formatGap(1234, 0, 2)).toBe("+1.234");
    expect(formatGap(62345, 0, 5)).toBe("+1:02.345");
  });
  it("shows laps down instead of a time", () => {
    expect(formatGap(95000, 1, 9)).toBe("+1 L");
    expect(formatGap(null, 3, 12)).toBe("+3 L");
  });
  it("shows a dash before the first timing", () => expect(formatGap(null, 0, 3)).toBe("—"));
});

describe("formatInterval", () => {
  it("is empty for the leader", () => expect(formatInterval(null, 0, null)).toBe("—"));
  it("shows the time to the car ahead on the same lap", () => expect(formatInterval(812, 1, 1)).toBe("+0.812"));
  it("shows the lap difference to the car ahead", () => {
    expect(formatInterval(40000, 1, 0)).toBe("+1 L");
    expect(formatInterval(40000, 3, 1)).toBe("+2 L");
  });
});

describe("misc", () => {
  it("formats the race clock", () => {
    expect(formatClock(754000)).toBe("12:34");
    expect(formatClock(3723000)).toBe("1:02:03");
  });
  it("letters compounds", () => {
    expect(compoundLetter("soft")).toBe("S");
    expect(compoundLetter("medium")).toBe("M");
    expect(compoundLetter("hard")).toBe("H");
    expect(compoundLetter("wet")).toBe("?");
  });
});
