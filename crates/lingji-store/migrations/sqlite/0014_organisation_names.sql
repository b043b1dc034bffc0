-- The payment check looks a payee up among the organisations by name (B06-01, B06-02).
CREATE INDEX organisations_name ON organisations (name);
