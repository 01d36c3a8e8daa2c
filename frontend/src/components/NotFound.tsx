import { Link } from "react-router";

export function NotFound() {
  return (
    <div className="page-center">
      <div className="panel">
        <h1>Page not found</h1>
        <p>
          <Link to="/">Back to Kiln</Link>
        </p>
      </div>
    </div>
  );
}
