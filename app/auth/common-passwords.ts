// Passwords long enough to pass the length rule yet among the first an attacker tries:
// keyboard walks, digit runs, repeated characters and the usual words with digits appended.
const COMMON = new Set([
  "1234567890", "0123456789", "0987654321", "9876543210", "12345678910", "123456789a",
  "a123456789", "1234567890a", "123456789q", "1q2w3e4r5t", "1q2w3e4r5t6y", "q1w2e3r4t5",
  "qwertyuiop", "qwertyuiop1", "qwertyuiop123", "asdfghjkl1", "asdfghjkl;", "zxcvbnm123",
  "qwerty1234", "qwerty12345", "qwerty123456", "1qaz2wsx3edc", "zaq12wsxcde3", "1qazxsw23edc",
  "password12", "password123", "password1234", "password1!", "password!!", "passw0rd12",
  "p@ssw0rd123", "p@ssword123", "passwordpassword", "mypassword", "mypassword1", "newpassword",
  "changeme123", "changeme12", "letmein1234", "letmein123", "welcome123", "welcome1234",
  "iloveyou12", "iloveyou123", "iloveyou1234", "sunshine123", "princess123", "football123",
  "baseball123", "superman123", "starwars123", "dragon1234", "monkey1234", "master1234",
  "trustno1234", "whatever123", "abcdefghij", "abcdefghijk", "abcd123456", "abc1234567",
  "abcdef123456", "1111111111", "0000000000", "2222222222", "5555555555", "7777777777",
  "8888888888", "9999999999", "1212121212", "1122334455", "1231231231", "1234512345",
  "1234554321", "aaaaaaaaaa", "qqqqqqqqqq", "administrator", "admin12345", "admin123456",
  "administrator1", "computer123", "internet123", "secret1234", "default123", "login12345",
  "guest12345", "test123456", "testtest12", "qazwsxedcrfv", "q1w2e3r4t5y6", "1q2w3e4r",
  "zxcvbnmasdf", "asdfasdfasdf", "asdf123456", "hello12345", "hellohello", "loveyou123",
  "michael123", "jennifer123", "jordan2323", "charlie123", "soccer1234", "hockey1234",
  "freedom123", "summer2024", "summer2025", "summer2026", "winter2025", "winter2026",
  "spring2026", "autumn2026", "january2026", "november2026", "cairn12345", "cairnpassword",
]);

export function isCommonPassword(password: string): boolean {
  const normalized = password.trim().toLowerCase();
  if (COMMON.has(normalized)) return true;
  // One character repeated, e.g. "xxxxxxxxxx".
  if (new Set(normalized).size <= 2) return true;
  return false;
}
