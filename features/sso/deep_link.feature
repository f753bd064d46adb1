@sso @needs:sso_platform
Feature: Partner deep link
  Instead of a token, the partner may hand the app a deep link,
  snapmdconnectedcare://?jwt=<JWT>; the app gives the JWT to the platform
  itself (docs/snapmd-sso.md).

  @req:SSO-DEEP-01 @req:SSO-JWT-01 @needs:deep_link
  Scenario: Every deep link carries a fresh, short-lived JWT
    Given Arya has a partner account
    When Arya asks the partner for a deep link
    And Arya asks the partner for a deep link
    Then Arya's deep links carry JWTs with distinct ids, each valid at most 5 minutes
    And the deep link opens the app as Arya

  @req:SSO-DEEP-02 @needs:deep_link
  Scenario: A wrong password gets no deep link
    Given Arya has a partner account
    When Arya asks the partner for a deep link
    Then the deep link opens the app as Arya
    When Arya asks the partner for a deep link with a wrong password
    Then the partner hands out no deep link
