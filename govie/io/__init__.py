"""Reading report files (:mod:`.readers`, :mod:`.extract`), batch runs (:mod:`.batch`) and the HTML view (:mod:`.render`)."""
