import { compoundLetter } from "../lib/format";

/** S/M/H in the compound's colour (red / yellow / white), with age in laps. */
export function TyreBadge({ compound, age }: { compound: string; age?: number }) {
  const letter = compoundLetter(compound);
  return (
    <span className="tyre" title={`${compound}${age !== undefined ? `, ${age} laps old` : ""}`}>
      <span className={`tyre-badge tyre-${letter}`}>{letter}</span>
      {age !== undefined && <span className="tyre-age">{age}</span>}
    </span>
  );
}
