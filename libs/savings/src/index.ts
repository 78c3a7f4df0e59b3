// Cost avoidance: versioned unit-cost tables and the calculator (issue 5).
export * from './calculator';
export * from './savings.queries';
export * from './tables';
