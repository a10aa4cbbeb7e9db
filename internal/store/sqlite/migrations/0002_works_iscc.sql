-- Works are looked up by their ISCC-CODE (WorksByUnit); without this index
-- the lookup scans every work.
CREATE INDEX IF NOT EXISTS works_iscc ON works (iscc) WHERE iscc <> '';
