interface ProgressBarProps {
  /** 0-100; values outside are clamped. */
  value: number;
  label?: string;
  /** A slimmer bar without the percentage, for table cells. */
  compact?: boolean;
}

/** How far a job says it is (it writes 0-100 to its progress file). */
export function ProgressBar({ value, label = "Progress", compact = false }: ProgressBarProps) {
  const percent = Math.min(100, Math.max(0, Math.round(value)));
  return (
    <div className={compact ? "progress progress-compact" : "progress"}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}%`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-value">{percent}%</span>
    </div>
  );
}
