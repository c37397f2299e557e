//! The calendar-time alpha regression (methodology §16): OLS of the daily excess portfolio
//! return on CAPM, Fama–French 3 and Carhart factors with OLS, HC1, Newey–West and WLS errors.
