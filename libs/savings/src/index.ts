// Cost avoidance: versioned unit-cost tables and the calculator (issue 5).
export {};
