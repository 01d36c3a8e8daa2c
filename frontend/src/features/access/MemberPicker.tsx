import type { Member } from "../../api/client";

interface MemberPickerProps {
  /** The fieldset's legend, also its accessible name. */
  legend: string;
  members: readonly Member[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
}

/** A checkbox per workspace member; `selected` holds emails. */
export function MemberPicker({ legend, members, selected, onChange }: MemberPickerProps) {
  function toggle(email: string, on: boolean) {
    onChange(on ? [...selected, email] : selected.filter((e) => e !== email));
  }

  return (
    <fieldset className="member-picker">
      <legend>{legend}</legend>
      {members.length === 0 ? (
        <span className="muted">No members</span>
      ) : (
        members.map((member) => (
          <label key={member.email} className="member-option" title={member.name || undefined}>
            <input
              type="checkbox"
              checked={selected.includes(member.email)}
              onChange={(e) => toggle(member.email, e.target.checked)}
            />
            {member.email}
          </label>
        ))
      )}
    </fieldset>
  );
}
