/** Form checks for the exclusions page (the back end checks again). */

export function emailError(value: string): string | null {
  const v = value.trim();
  if (v === "") return "Enter an email address.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return "That doesn't look like an email address.";
  return null;
}

export function customerIdError(value: string): string | null {
  const v = value.trim();
  if (v === "") return "Enter a Shopify customer id.";
  if (!/^\d{1,20}$/.test(v)) return "A customer id is digits only, e.g. 7123456789.";
  return null;
}
