"""Long-term care: facility types as dated reference data, members' facility stays, PASRR per nursing-facility
admission, and the Physician Certification Statements NEMT rests on."""
