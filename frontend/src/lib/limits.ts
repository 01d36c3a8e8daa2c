/** The resource limits a job runs with (the API's `limits` objects), in display order. */
export const LIMIT_NAMES = [
  "timeout_s",
  "cpu_s",
  "memory_mb",
  "max_processes",
  "file_size_mb",
  "tmpfs_mb",
  "open_files",
  "log_bytes",
] as const;

export type LimitName = (typeof LIMIT_NAMES)[number];

export interface LimitInfo {
  label: string;
  /** Shown after the number input and the values: "s", "MB", "bytes" or "" (a count). */
  unit: string;
  help: string;
}

export const LIMITS: Readonly<Record<LimitName, LimitInfo>> = {
  timeout_s: { label: "Timeout", unit: "s", help: "Wall-clock time; then the job ends as timeout" },
  cpu_s: { label: "CPU time", unit: "s", help: "CPU seconds (default: the timeout)" },
  memory_mb: { label: "Memory", unit: "MB", help: "Past it: memory limit exceeded" },
  max_processes: { label: "Processes", unit: "", help: "Processes and threads at once" },
  file_size_mb: { label: "File size", unit: "MB", help: "Largest file the job may write" },
  tmpfs_mb: { label: "/tmp size", unit: "MB", help: "Size of the job's /tmp" },
  open_files: { label: "Open files", unit: "", help: "Open files at once" },
  log_bytes: { label: "Log size", unit: "bytes", help: "Log kept; past it the rest is dropped" },
};

const KIB = 1024;

function bytes(value: number): string {
  if (value >= KIB * KIB && value % (KIB * KIB) === 0) return `${value / (KIB * KIB)} MiB`;
  if (value >= KIB && value % KIB === 0) return `${value / KIB} KiB`;
  return `${value.toLocaleString("en-US")} bytes`;
}

/** 60 → "60 s", 512 → "512 MB", 1048576 (log_bytes) → "1 MiB", 256 (open_files) → "256". */
export function formatLimit(name: LimitName, value: number): string {
  const { unit } = LIMITS[name];
  if (unit === "bytes") return bytes(value);
  return unit ? `${value} ${unit}` : String(value);
}

export function isLimitName(name: string): name is LimitName {
  return (LIMIT_NAMES as readonly string[]).includes(name);
}
