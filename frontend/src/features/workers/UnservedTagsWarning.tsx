/** Tags that jobs may ask for but no live worker serves: such jobs stay queued. */
export function UnservedTagsWarning({ tags }: { tags: readonly string[] }) {
  if (tags.length === 0) return null;
  return (
    <div className="waiting" data-testid="unserved-tags">
      <span className="waiting-icon" aria-hidden="true">
        ⚠
      </span>
      <span>
        No live worker serves tag(s):{" "}
        {tags.map((tag, i) => (
          <span key={tag}>
            {i > 0 && ", "}
            <code>{tag}</code>
          </span>
        ))}{" "}
        — jobs with these tags wait.
      </span>
    </div>
  );
}
