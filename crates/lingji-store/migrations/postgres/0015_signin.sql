-- Sign-in that cannot be used to lock people out (issue 17): attempts are counted per
-- (user, address) and per address, for logins and for password changes alike.
ALTER TABLE login_attempts ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';
DROP INDEX login_attempts_user;
CREATE INDEX login_attempts_pair ON login_attempts (username, ip, purpose, at);

-- Bearer tokens expire; tokens issued before this migration get 90 days from their issue.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET expires_at = to_char(
    (created_at::timestamptz + interval '90 days') AT TIME ZONE 'UTC',
    'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
CREATE INDEX api_tokens_user ON api_tokens (user_id);
