import { useNavigation } from "@remix-run/react";
import { useId, type ReactNode } from "react";

type ControlProps = { id: string; invalid: true | undefined; describedBy: string | undefined };

/**
 * What every field shares: a label tied to the control, then the hint and the error beside it,
 * both announced with the control. The control itself comes from `children`.
 */
function FieldFrame({
  label,
  hint,
  error,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-stone-800">
        {label}
      </label>
      {children({ id, invalid: error ? true : undefined, describedBy })}
      {hint ? (
        <p id={hintId} className="text-xs text-stone-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

type FieldProps = {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
  defaultValue?: string;
  type?: "text" | "email" | "password" | "search" | "number" | "url" | "date";
  autoComplete?: string;
  required?: boolean;
  autoFocus?: boolean;
  minLength?: number;
};

/** A labelled input whose error sits right beside it and is announced with it. */
export function Field({ label, name, error, hint, type = "text", ...rest }: FieldProps) {
  return (
    <FieldFrame label={label} hint={hint} error={error}>
      {({ id, invalid, describedBy }) => (
        <input id={id} name={name} type={type} className="input" aria-invalid={invalid} aria-describedby={describedBy} {...rest} />
      )}
    </FieldFrame>
  );
}

type TextAreaFieldProps = {
  /** Usually plain text; a node when part of the name is for screen readers only. */
  label: ReactNode;
  name: string;
  error?: string;
  hint?: ReactNode;
  defaultValue?: string;
  rows?: number;
  required?: boolean;
  maxLength?: number;
};

/** The multi-line twin of Field. */
export function TextAreaField({ label, name, error, hint, rows = 4, ...rest }: TextAreaFieldProps) {
  return (
    <FieldFrame label={label} hint={hint} error={error}>
      {({ id, invalid, describedBy }) => (
        <textarea id={id} name={name} rows={rows} className="input" aria-invalid={invalid} aria-describedby={describedBy} {...rest} />
      )}
    </FieldFrame>
  );
}

type SelectFieldProps = {
  label: string;
  name: string;
  options: readonly { value: string; label: string }[];
  defaultValue?: string;
  error?: string;
};

export function SelectField({ label, name, options, defaultValue, error }: SelectFieldProps) {
  return (
    <FieldFrame label={label} error={error}>
      {({ id, invalid, describedBy }) => (
        <select id={id} name={name} defaultValue={defaultValue} className="input" aria-invalid={invalid} aria-describedby={describedBy}>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </FieldFrame>
  );
}

/** A form-wide message (one not tied to a single field). */
export function FormMessage({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {error}
    </p>
  );
}

type SubmitProps = {
  children: ReactNode;
  pendingLabel: string;
  name?: string;
  value?: string;
  /**
   * Other fields the submission must carry for this button to count as the one pending, for
   * forms that share an intent and differ by a hidden field (`{ userId: member.id }`).
   */
  pendingWhen?: Record<string, string>;
  variant?: "primary" | "secondary" | "danger";
  /** A smaller button, for rows of per-item actions. */
  compact?: boolean;
};

/** A real submit button that says what is happening while its form is on its way. */
export function SubmitButton({ children, pendingLabel, name, value, pendingWhen, variant = "primary", compact }: SubmitProps) {
  const navigation = useNavigation();
  const formData = navigation.formData;
  const pending =
    navigation.state === "submitting" &&
    (name === undefined || formData?.get(name) === value) &&
    Object.entries(pendingWhen ?? {}).every(([field, expected]) => formData?.get(field) === expected);
  const variantClass = variant === "primary" ? "btn" : variant === "danger" ? "btn-danger" : "btn-secondary";
  const className = compact ? `${variantClass} px-3 py-1` : variantClass;
  return (
    <button type="submit" name={name} value={value} className={className} disabled={pending} aria-busy={pending || undefined}>
      {pending ? pendingLabel : children}
    </button>
  );
}
