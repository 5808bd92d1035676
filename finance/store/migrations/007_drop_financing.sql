-- The financing plan lives in the manifest (productions.manifest_json), read back as the
-- validated model by every reader; the `financing` table copied it, was never read, and is no
-- longer written. A backup that still holds it restores without it (backup.RETIRED).
DROP TABLE financing;
