interface ShowStoppedSwitchProps {
  checked: boolean;
  onChange: (checked: boolean) => void;
}

/** Also list workers that stopped beating (the API keeps them a day). */
export function ShowStoppedSwitch({ checked, onChange }: ShowStoppedSwitchProps) {
  return (
    <label className="switch">
      <input type="checkbox" role="switch" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span className="switch-track" aria-hidden="true" />
      <span className="switch-label">Show stopped workers</span>
    </label>
  );
}
