import { RISK_LABELS } from "~/auth/permissions";
import type { RiskLevel } from "../../db/schema";

const RISK_STYLES: Record<RiskLevel, string> = {
  none: "bg-stone-100 text-stone-700",
  watch: "bg-amber-100 text-amber-900",
  urgent: "bg-red-100 text-red-800",
};

/** A case's risk level as a badge; the words carry the meaning, the colour only helps. */
export function RiskBadge({ risk, prefix = "" }: { risk: RiskLevel; prefix?: string }) {
  return (
    <span className={`badge ${RISK_STYLES[risk]}`}>
      {prefix}
      {RISK_LABELS[risk]}
    </span>
  );
}
