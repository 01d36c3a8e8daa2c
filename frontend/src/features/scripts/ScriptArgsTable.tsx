import { schemaArgs } from "./schemaArgs";

export function ScriptArgsTable({ schema }: { schema: unknown }) {
  const args = schemaArgs(schema);
  if (args.length === 0) {
    return <p className="muted">This script takes no arguments.</p>;
  }
  return (
    <table className="table" data-testid="schema-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Required</th>
          <th scope="col">Default</th>
        </tr>
      </thead>
      <tbody>
        {args.map((arg) => (
          <tr key={arg.name}>
            <td>
              <code>{arg.name}</code>
              {arg.description && <div className="cell-sub">{arg.description}</div>}
            </td>
            <td>
              <code>{arg.type}</code>
            </td>
            <td>{arg.required ? "Yes" : "No"}</td>
            <td>{arg.defaultValue === null ? <span className="muted">—</span> : <code>{arg.defaultValue}</code>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
