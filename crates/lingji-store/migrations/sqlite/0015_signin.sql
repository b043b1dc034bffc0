-- Sign-in that cannot be used to lock people out (issue 17): attempts are counted per
-- (user, address) and per address, for logins and for password changes alike.
ALTER TABLE login_attempts ADD COLUMN purpose TEXT NOT NULL DEFAULT 'login';
DROP INDEX login_attempts_user;
CREATE INDEX login_attempts_pair ON login_attempts (username, ip, purpose, at);

-- Bearer tokens expire; tokens issued before this migration get 90 days from their issue.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at, '+90 days');
CREATE INDEX api_tokens_user ON api_tokens (user_id);
