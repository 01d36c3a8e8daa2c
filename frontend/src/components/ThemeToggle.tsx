import { setThemePreference, THEME_PREFERENCES, useTheme, type ThemePreference } from "./theme";

const LABELS: Record<ThemePreference, string> = { light: "Light", dark: "Dark", system: "System" };
const ICONS: Record<ThemePreference, string> = { light: "☀", dark: "☾", system: "◐" };

/** Light / Dark / System, as three pressed-or-not buttons (the `t` shortcut flips light and dark). */
export function ThemeToggle() {
  const { preference, theme } = useTheme();
  return (
    <div className="segmented" role="group" aria-label="Theme">
      {THEME_PREFERENCES.map((option) => (
        <button
          key={option}
          type="button"
          className="segmented-option"
          aria-pressed={preference === option}
          title={option === "system" ? `Follow the system (now ${theme})` : `${LABELS[option]} theme`}
          onClick={() => setThemePreference(option)}
        >
          <span aria-hidden="true">{ICONS[option]}</span> {LABELS[option]}
        </button>
      ))}
    </div>
  );
}
