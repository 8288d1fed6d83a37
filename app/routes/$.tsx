import { ErrorPage } from "~/components/error-page";
import { notFound } from "~/models/errors.server";

export async function loader() {
  throw notFound();
}

export default function NotFoundPage() {
  return null;
}

export function ErrorBoundary() {
  return <ErrorPage />;
}
