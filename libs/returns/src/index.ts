// National returns: versioned specs, the builder, disclosure control, pseudonyms (issue 5).
export {};
